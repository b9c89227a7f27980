"""The equality monitoring questions and the answers each allows, in one place: the online application's optional
step, the officers' form for paper applications, the household's own page and the managers' report read these.

Why they are asked: the public sector equality duty (Equality Act 2010, s149) has the council have due regard to
eliminating discrimination and advancing equality of opportunity between people who share a protected
characteristic and those who do not (s149(1), the characteristics in s149(7) and s4); monitoring who is on the
register, who bids, who is shortlisted, offered and housed is how it knows. Marriage and civil partnership is a
protected characteristic (s4, s8) that s149(7) leaves out of the duty's second and third aims; it is asked
because councils' monitoring forms ask it, and reported like the rest.

The categories are the Government Statistical Service's harmonised standards as the 2021 Census for England
asked them (Office for National Statistics, "Census 2021 paper questionnaire, England", and the GSS harmonised
standards for ethnicity, religion, sex, gender identity, sexual orientation, disability and marital status),
in the standards' order, as the GOV.UK Design System's "Equality information" pattern lays them out. The write-in
boxes of "Other" answers are left out: free text about these matters is more identifying than a tick, and the
report counts ticks. Pregnancy and maternity has no census question: it is asked as the Act defines the
protection outside work (s17: pregnant, or in the 26 weeks beginning with the day of the birth).

Age is not asked again: the application holds the lead applicant's date of birth already (age-restricted homes
need it), and the report bands it as the census publishes age.

Every question is optional and every list ends with "Prefer not to say"; not answering at all is kept apart from
choosing "Prefer not to say" (None against PREFER_NOT_TO_SAY), and the report counts both.
"""

from dataclasses import dataclass
from datetime import date

PREFER_NOT_TO_SAY = "prefer_not_to_say"
PREFER_NOT_TO_SAY_LABEL = "Prefer not to say"
NOT_ANSWERED_LABEL = "Not answered"

# Ethnic group, England (Census 2021, question 15): 19 categories in 5 high-level groups.
ETHNIC_GROUPS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "white": ("White", (
        ("white_british", "English, Welsh, Scottish, Northern Irish or British"),
        ("white_irish", "Irish"),
        ("white_gypsy_traveller", "Gypsy or Irish Traveller"),
        ("white_roma", "Roma"),
        ("white_other", "Any other White background"),
    )),
    "mixed": ("Mixed or Multiple ethnic groups", (
        ("mixed_white_black_caribbean", "White and Black Caribbean"),
        ("mixed_white_black_african", "White and Black African"),
        ("mixed_white_asian", "White and Asian"),
        ("mixed_other", "Any other Mixed or Multiple ethnic background"),
    )),
    "asian": ("Asian or Asian British", (
        ("asian_indian", "Indian"),
        ("asian_pakistani", "Pakistani"),
        ("asian_bangladeshi", "Bangladeshi"),
        ("asian_chinese", "Chinese"),
        ("asian_other", "Any other Asian background"),
    )),
    "black": ("Black, Black British, Caribbean or African", (
        ("black_caribbean", "Caribbean"),
        ("black_african", "African"),
        ("black_other", "Any other Black, Black British or Caribbean background"),
    )),
    "other": ("Other ethnic group", (
        ("other_arab", "Arab"),
        ("other_any", "Any other ethnic group"),
    )),
}
ETHNIC_GROUP_OF: dict[str, str] = {code: group for group, (_, items) in ETHNIC_GROUPS.items() for code, _ in items}


@dataclass(frozen=True)
class Question:
    """One equality question: where its answer is kept, how it is asked, and the answers it takes."""

    key: str  # the column it is kept in
    title: str  # the characteristic, as the report heads it
    question: str
    answers: tuple[tuple[str, str], ...]  # (code, words), "Prefer not to say" last
    hint: str = ""

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(code for code, _ in self.answers)

    def label(self, code: str | None) -> str:
        return dict(self.answers).get(code or "", NOT_ANSWERED_LABEL)


def _with_prefer_not(*answers: tuple[str, str]) -> tuple[tuple[str, str], ...]:
    return (*answers, (PREFER_NOT_TO_SAY, PREFER_NOT_TO_SAY_LABEL))


QUESTIONS: tuple[Question, ...] = (
    # Census 2021 question 4 (sex).
    Question("sex", "Sex", "What is your sex?", _with_prefer_not(("female", "Female"), ("male", "Male"))),
    # Census 2021 question 27 (gender identity, for people aged 16 and over).
    Question("gender_identity", "Gender identity", "Is the gender you identify with the same as your sex registered "
             "at birth?", _with_prefer_not(("same", "Yes"), ("different", "No"))),
    # Census 2021 question 26 (sexual orientation, aged 16 and over).
    Question("sexual_orientation", "Sexual orientation", "Which of the following best describes your sexual "
             "orientation?", _with_prefer_not(("straight", "Straight or Heterosexual"), ("gay_lesbian", "Gay or "
                                              "Lesbian"), ("bisexual", "Bisexual"),
                                              ("other", "Other sexual orientation"))),
    # Census 2021 question 15 (ethnic group), each category named with its high-level group.
    Question("ethnic_group", "Ethnic group", "What is your ethnic group?", _with_prefer_not(
        *((code, f"{group}: {words}") for group, items in ETHNIC_GROUPS.values() for code, words in items))),
    # Census 2021 question 18 (religion; voluntary in the census too).
    Question("religion", "Religion or belief", "What is your religion?", _with_prefer_not(
        ("none", "No religion"), ("christian", "Christian (all denominations)"), ("buddhist", "Buddhist"),
        ("hindu", "Hindu"), ("jewish", "Jewish"), ("muslim", "Muslim"), ("sikh", "Sikh"),
        ("other", "Any other religion"))),
    # Census 2021 question 23 (long-term health problem or disability limiting day-to-day activities): the
    # harmonised standard's measure of disability as the Equality Act (s6) defines it.
    Question("disability", "Disability", "Are your day-to-day activities limited because of a health problem or "
             "disability which has lasted, or is expected to last, at least 12 months?", _with_prefer_not(
                 ("limited_a_lot", "Yes, limited a lot"), ("limited_a_little", "Yes, limited a little"),
                 ("not_limited", "No")), hint="Include problems related to old age."),
    # Census 2021 question 7 (legal marital or registered civil partnership status).
    Question("marriage", "Marriage and civil partnership", "What is your legal marital or registered civil "
             "partnership status?", _with_prefer_not(
                 ("never", "Never married and never registered a civil partnership"), ("married", "Married"),
                 ("civil_partnership", "In a registered civil partnership"),
                 ("separated_married", "Separated, but still legally married"),
                 ("separated_civil_partnership", "Separated, but still legally in a civil partnership"),
                 ("divorced", "Divorced"),
                 ("dissolved", "Formerly in a civil partnership which is now legally dissolved"),
                 ("widowed", "Widowed"),
                 ("surviving_partner", "Surviving partner from a registered civil partnership"))),
    # Equality Act 2010 s17 (pregnancy and maternity outside work: 26 weeks beginning with the day of the birth).
    Question("pregnancy", "Pregnancy and maternity", "Are you pregnant, or have you given birth in the last 26 "
             "weeks?", _with_prefer_not(("yes", "Yes"), ("no", "No"))),
)
BY_KEY: dict[str, Question] = {question.key: question for question in QUESTIONS}
KEYS: tuple[str, ...] = tuple(BY_KEY)

# The report's rows for ethnic group: the five high-level groups (each of the 19 categories counted in its
# group). Reporting the 19 beside the 5 would let a small category be worked out from its group's total.
REPORTED_ETHNIC_GROUPS: tuple[tuple[str, str], ...] = tuple((group, words) for group, (words, _) in
                                                            ETHNIC_GROUPS.items())

# Age bands as the census publishes them for adults, the lead applicant's age on the last day of a report's period.
AGE_BANDS: tuple[tuple[int, int | None, str], ...] = (
    (0, 24, "Under 25"), (25, 34, "25 to 34"), (35, 44, "35 to 44"), (45, 54, "45 to 54"), (55, 64, "55 to 64"),
    (65, 74, "65 to 74"), (75, None, "75 and over"),
)
AGE_NOT_RECORDED = "Date of birth not recorded"


def age_on(born: date, day: date) -> int:
    """Whole years of age on `day`."""
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


def age_band(born: date | None, day: date) -> str:
    if born is None:
        return AGE_NOT_RECORDED
    age = age_on(born, day)
    for low, high, words in AGE_BANDS:
        if age >= low and (high is None or age <= high):
            return words
    return AGE_BANDS[0][2]  # born after `day`: a date of birth typed wrong, counted with the youngest


def known_answer(key: str, code: str | None) -> bool:
    """Whether `code` is an answer question `key` takes (None: not answered, which every question allows)."""
    return code is None or code in BY_KEY[key].codes


def born_by(day: date, years: int) -> date:
    """The latest date of birth of someone `years` old or more on `day` (29 February's birthday falls on 28
    February in other years, as `age_on` has it): the bound a database query compares dates of birth with."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, and that year has none
        return date(day.year - years, 2, 28)

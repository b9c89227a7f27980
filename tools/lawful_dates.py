"""Print the worked date examples of docs/lawful-decisions.md, each computed by the rule that the system uses,
so that the note states what the code does (run it again after changing a rule or the shipped scheme).

    python -m tools.lawful_dates
"""

from datetime import date, datetime, timezone

from cbl.models.states import ReviewType
from cbl.rules import decision_types
from cbl.rules.review_periods import S202, ReviewedBy, is_late, s202_decide_by, s202_request_by
from cbl.rules.scheme import load_scheme
from cbl.rules.working_days import add_months, add_working_days, local_date
from cbl.settings import DEFAULT_SCHEME


def day(value: date) -> str:
    return f"{value:%a %-d %b %Y}"


def examples() -> list[tuple[str, str]]:
    """(the period, its worked examples) in the order of the note."""
    scheme = load_scheme(DEFAULT_SCHEME)
    reviews, enquiries, refusals = scheme.reviews, scheme.enquiries, scheme.refusals
    found = []

    def s202_ask(notified: date) -> str:
        return f"told {day(notified)} -> ask by {day(s202_request_by(notified))}"

    due = s202_request_by(date(2027, 1, 11))

    def asked(on: date) -> str:
        return f"asked {day(on)} is {'late' if is_late(on, due) else 'in time'}"

    found.append(("s202(3) request: 21 days beginning with the day of notification", "; ".join([
        s202_ask(date(2027, 1, 31)) + " (month end)", s202_ask(date(2028, 2, 15)) + " (leap year, 29 Feb counted)",
        s202_ask(date(2028, 2, 29)) + " (told on 29 Feb)",
        s202_ask(date(2026, 12, 5)) + " (Christmas Day: not moved)",
        s202_ask(date(2027, 3, 8)) + " (the day the clocks go forward)",
        f"told {day(date(2027, 1, 11))}: {asked(date(2027, 1, 31))} (day 21), {asked(date(2027, 2, 1))} (day 22)"])))

    def decide(decision: S202, asked: date, reviewed_by: ReviewedBy = ReviewedBy.AUTHORITY) -> str:
        return f"asked {day(asked)} -> decide by {day(s202_decide_by(decision, asked, reviewed_by=reviewed_by))}"

    found.append(("reg 9(1)(a): 3 weeks (s202(1)(ba)(i), (bc), (bb) ending the s195(2) duty)", "; ".join([
        decide(S202.PREVENTION, date(2027, 1, 4)),
        f"asked {day(date(2027, 1, 4))}, reg 7 representations received {day(date(2027, 1, 11))} -> decide by "
        f"{day(s202_decide_by(S202.PREVENTION, date(2027, 1, 4), representations_received_on=date(2027, 1, 11)))}",
        decide(S202.RELIEF_STEPS, date(2028, 2, 20)) + " (leap year)"])))
    found.append(("reg 9(1)(b): 8 weeks (s202(1)(a), (b), (ba)(ii), (c)-(h), (bb) ending the s189B(2) duty; "
                  "final offers: (f) suitability, (b) duty ended)", "; ".join([
                      decide(S202.SUITABILITY, date(2027, 3, 1)) + " (not Mon 26 Apr)",
                      decide(S202.DUTY_OWED, date(2027, 2, 1)) + " (the day the clocks go forward)",
                      decide(S202.SUITABILITY, date(2028, 1, 31)) + " (month end, leap year)",
                      decide(S202.SUITABILITY, date(2026, 11, 6)) + " (Christmas Day: not moved)"])))
    found.append(("reg 9(1)(c): 10 weeks, s202(1)(d) reviewed jointly by the notifying and notified authorities",
                  decide(S202.REFERRAL_CONDITIONS, date(2027, 3, 29), reviewed_by=ReviewedBy.JOINT)
                  + " (Easter Monday, the day after the clocks go forward)"))
    found.append(("reg 9(1)(d): 12 weeks, a referee's decision reviewed (reg 6)",
                  decide(S202.REFERRAL_CONDITIONS, date(2027, 12, 31), reviewed_by=ReviewedBy.REFEREE)
                  + " (year end)"))

    def part6_ask(kind: ReviewType, told: date) -> str:
        return f"told {day(told)} -> ask by {day(decision_types.request_by(kind, reviews, told))}"

    def part6_decide(kind: ReviewType, asked: date) -> str:
        return f"asked {day(asked)} -> decide by {day(decision_types.decide_by(kind, reviews, asked))}"

    found.append((f"Part 6 request (s166A(9), s160ZA(9)): the scheme's {reviews.request_within_days} days "
                  "beginning with the day told", "; ".join([
                      part6_ask(ReviewType.BAND, date(2026, 12, 29)) + " (across the new year)",
                      part6_ask(ReviewType.SUSPENSION, date(2026, 11, 2)),
                      part6_ask(ReviewType.ELIGIBILITY, date(2028, 2, 10)) + " (leap year)"])))
    just_after_midnight = datetime(2027, 3, 28, 23, 30, tzinfo=timezone.utc)
    found.append((f"Part 6 decision: the scheme's {reviews.decide_within_days} days (by type) beginning with the "
                  "request", "; ".join([
                      part6_decide(ReviewType.BAND, date(2027, 3, 29)) + " (asked 00:30 BST on 29 Mar, 23:30 UTC "
                      f"on 28 Mar: the London day is {day(local_date(just_after_midnight))})",
                      part6_decide(ReviewType.QUALIFICATION, date(2028, 1, 5)) + " (leap year)"])))

    def working(start: date, days: int) -> str:
        return f"{day(start)} + {days} working days -> {day(add_working_days(start, days))}"

    found.append((f"reg 7 minded-to notice: representations within the scheme's {reviews.representations_working_days} "
                  "UK working days", "; ".join([
                      working(date(2026, 12, 24), reviews.representations_working_days) + " (Christmas, Boxing Day "
                      "on Mon 28 Dec, New Year's Day)",
                      working(date(2027, 3, 25), reviews.representations_working_days) + " (Good Friday, the clock "
                      "change, Easter Monday)"])))
    found.append((f"Enquiries and complaints: acknowledge in {enquiries.acknowledge_working_days}, answer stage 1 in "
                  f"{enquiries.complaint_answer_working_days}, stage 2 in {enquiries.stage_two_answer_working_days} UK "
                  "working days", "; ".join([
                      working(date(2026, 12, 21), enquiries.acknowledge_working_days) + " (acknowledge)",
                      working(date(2026, 12, 21), enquiries.complaint_answer_working_days) + " (stage 1)",
                      working(date(2027, 3, 22), enquiries.stage_two_answer_working_days) + " (stage 2, over Easter)"
                      ])))
    penalty, within = date(2027, 8, 31), refusals.within_months
    found.append((f"Refusal penalty: {refusals.unreasonable_refusals} unreasonable refusals within {within} months "
                  f"suspend bidding for {refusals.suspension_months} months", "; ".join([
                      f"judged {day(penalty)}: refusals counted from {day(add_months(penalty, -within))}"
                      f", suspended until {day(add_months(penalty, refusals.suspension_months))} (month end into a "
                      "leap February)",
                      f"judged {day(date(2028, 2, 29))}: counted from "
                      f"{day(add_months(date(2028, 2, 29), -within))}"])))
    found.append(("Fixed-term suspension ends by itself on its end date (scheduler, 00:05 London time)",
                  f"until {day(date(2026, 11, 30))}: still suspended at 23:30 UTC on Sun 29 Nov 2026 (London "
                  f"{day(local_date(datetime(2026, 11, 29, 23, 30, tzinfo=timezone.utc)))}), ended at 00:05 on "
                  f"{day(local_date(datetime(2026, 11, 30, 0, 5, tzinfo=timezone.utc)))}, the letter dated that day"))
    return found


if __name__ == "__main__":
    for period, worked in examples():
        print(f"- {period}: {worked}")

"""The demo households' equality monitoring answers, so that the managers' report has figures to show: most
households answer, some prefer not to say, some answer nothing; the lead's sex as the application records it."""

import random

from sqlmodel import Session, select

from cbl.models import Applicant, EqualityAnswers, HouseholdMember
from cbl.models.states import Relationship, Sex
from cbl.rules.equality_categories import PREFER_NOT_TO_SAY, QUESTIONS

# The commoner answers, roughly as a town in England might give them (the rest share what is left).
LIKELY: dict[str, dict[str, float]] = {
    "gender_identity": {"same": 0.93},
    "sexual_orientation": {"straight": 0.86, "gay_lesbian": 0.03, "bisexual": 0.03},
    "ethnic_group": {"white_british": 0.68, "white_other": 0.06, "asian_pakistani": 0.05, "asian_indian": 0.04,
                     "black_african": 0.05, "black_caribbean": 0.03, "mixed_white_black_caribbean": 0.02},
    "religion": {"none": 0.40, "christian": 0.40, "muslim": 0.08},
    "disability": {"not_limited": 0.68, "limited_a_little": 0.14, "limited_a_lot": 0.12},
    "marriage": {"never": 0.45, "married": 0.22, "divorced": 0.12, "separated_married": 0.06, "widowed": 0.06},
    "pregnancy": {"no": 0.9, "yes": 0.04},
}


def _answer(rng: random.Random, key: str, codes: list[str]) -> str:
    likely = LIKELY.get(key, {})
    rest = [code for code in codes if code not in likely and code != PREFER_NOT_TO_SAY]
    left = max(0.0, 1.0 - sum(likely.values()) - 0.03)
    weights = {**likely, **{code: left / len(rest) for code in rest}, PREFER_NOT_TO_SAY: 0.03}
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def seed_equality_answers(session: Session, rng: random.Random, households: list[Applicant]) -> None:
    """Answers for about three households in four."""
    leads = dict(session.exec(select(HouseholdMember.applicant_id, HouseholdMember.sex)
                              .where(HouseholdMember.relationship == Relationship.LEAD)).all())
    rows = []
    for applicant in households:
        sex = leads.get(applicant.id)
        if rng.random() >= 0.75:
            continue
        answers: dict[str, str | None] = {
            question.key: _answer(rng, question.key, [code for code, _ in question.answers])
            for question in QUESTIONS if question.key != "sex"}
        answers["sex"] = (PREFER_NOT_TO_SAY if rng.random() < 0.03 or sex is None
                          else {Sex.FEMALE: "female", Sex.MALE: "male"}[sex])
        if rng.random() < 0.1:  # some leave questions unanswered
            answers[rng.choice(list(answers))] = None
        rows.append(EqualityAnswers(applicant_id=applicant.id, source="online", **answers))
    session.add_all(rows)
    session.flush()

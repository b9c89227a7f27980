"""Medical, welfare and occupational therapy panels: who may sit, and what a recommendation means for the case.

A panel's decision is the council's own decision on the facts of the case (Housing Act 1996 s166A(9)(b): the
household may ask for it to be reviewed). The Local Government and Social Care Ombudsman's good practice guide
on medical assessments for housing asks that the council weigh all the evidence and make its own decision (not
adopt an adviser's opinion), record how it did, and tell the household in writing with its reasons; and its
findings on allocations ask for decisions that are accountable. So a panel is two or more members of staff, none of
them the officer who referred the case (who puts the case to the panel and may not then judge it: the rule
against bias), and its decision is applied to the case as the structured findings below, never free text alone.
docs/decisions/0014-panels.md has the reasons.
"""

from collections.abc import Collection, Iterable

# The fewest members a panel may have: a decision of one person is an officer's decision, not a panel's.
FEWEST_MEMBERS = 2

# The access needs a panel may find, each as the form and the letter say it.
ACCESS = {
    "ground_floor_or_lift": "a home on the ground floor, or with a lift",
    "level_access_shower": "a level-access shower",
    "wheelchair": "a home built or adapted to wheelchair standard",
}

# What each finding makes the household eligible for in the engine (matching/: adverts kept for households who
# need a home without steps, or a wheelchair-accessible home; the needs cbl/services/applications.py NEEDS names).
# Someone who cannot manage stairs, or cannot step into a bath, is one of the households a home without steps is
# kept for; a wheelchair user needs both.
ENGINE_NEEDS = {
    "ground_floor_or_lift": frozenset({"step_free"}),
    "level_access_shower": frozenset({"step_free"}),
    "wheelchair": frozenset({"step_free", "wheelchair"}),
}

# What a final offer must then meet (cbl/rules/final_offers.py REQUIREMENTS). A home's record holds its floor, lift,
# steps and wheelchair adaptation but not its bathroom, so a level-access shower is weighed by the officer assessing
# suitability (the access factor), not checked here.
OFFER_REQUIREMENTS = {
    "ground_floor_or_lift": frozenset({"lift"}),
    "level_access_shower": frozenset(),
    "wheelchair": frozenset({"wheelchair"}),
}


def engine_needs(access: Iterable[str]) -> frozenset[str]:
    """The engine's needs the panel's access findings give."""
    return frozenset().union(*(ENGINE_NEEDS[code] for code in access))


def offer_requirements(access: Iterable[str]) -> frozenset[str]:
    return frozenset().union(*(OFFER_REQUIREMENTS[code] for code in access))


def needs_after(recorded: Collection[str], before: Iterable[str], after: Iterable[str]) -> list[str]:
    """The case's needs once a panel's access findings `after` replace the earlier panel's `before`: what the
    earlier panel gave goes unless this one gives it again, what this one gives comes, and a need no earlier panel
    gave (the household's own answer, or an officer's) stays whatever this one found."""
    given_before, given_now = engine_needs(before), engine_needs(after)
    own = {need for need in recorded if need not in given_before}
    return sorted(own | given_now)


def membership_problem(members: Collection[int], referrer: int, may_sit: Collection[int]) -> str | None:
    """Why these members cannot hear the referral (staff ids; `may_sit`: the staff who may sit on a panel), or
    None if they can."""
    if len(set(members)) < FEWEST_MEMBERS:
        return f"Choose at least {FEWEST_MEMBERS} members of staff to sit on the panel"
    if referrer in members:
        return "The officer who referred the case cannot sit on its panel: they put the case, the panel judges it"
    if set(members) - set(may_sit):
        return "Choose the panel's members from the list of staff"
    return None

"""The checks made on a shortlist place before its household is offered the home, and what still stops the offer.

Housing Act 1996 s167(8): a home is allocated only in accordance with the allocation scheme; the scheme names
the checks made before an offer (offers.checks_before_offer): always the verification of the household's
circumstances against the advert, and, where the scheme says so, a fraud check. A final offer to a household
owed the main homelessness duty also needs the officer's suitability assessment first (s193(7F); the
assessment's own rule is cbl/rules/final_offers.py). A failed check passes the place over, a decision the
household is told of with the right to a review (s166A(9)).
"""

from collections.abc import Iterable

from cbl.models.states import OfferCheckKind

# The checks as the shortlist names them.
NAMES = {OfferCheckKind.VERIFICATION: "Verification", OfferCheckKind.FRAUD: "Fraud check"}
# The checks as the refusal of an offer made too soon names them.
LABELS = {
    OfferCheckKind.VERIFICATION: "the verification of the household's circumstances",
    OfferCheckKind.FRAUD: "the fraud check",
}
# The reason a failed check records for passing the place over, as the shortlist and the household's letter give it.
FAILED = {
    OfferCheckKind.VERIFICATION: "Circumstances could not be verified before the offer",
    OfferCheckKind.FRAUD: "The fraud check before the offer was not passed",
}
# The place's skip reason a failed check records (not one of the scheme's skip reasons: the check's own).
FAILED_CODES = {kind: f"{kind.value}_check_failed" for kind in OfferCheckKind}
SUITABILITY = "the suitability assessment of this home for this household (a final offer, s193(7F))"


def missing(required: Iterable[OfferCheckKind], passed: Iterable[OfferCheckKind], *, final_offer: bool,
            assessed: bool) -> list[str]:
    """What must still be recorded as passed before the offer may be made, in the scheme's order; empty if
    nothing. `passed`: the kinds whose latest check on the place passed; `assessed`: a suitability assessment
    of this home for this household is on record."""
    done = set(passed)
    names = [LABELS[kind] for kind in dict.fromkeys(required) if kind not in done]
    if final_offer and not assessed:
        names.append(SUITABILITY)
    return names


def refusal(names: list[str]) -> str:
    """The refusal of an offer made too soon, naming every check still missing."""
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"This household cannot be offered the home yet: record {listed} as passed first."

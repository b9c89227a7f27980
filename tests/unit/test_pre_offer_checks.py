"""What still stops an offer (cbl/rules/pre_offer_checks.py): each check the scheme requires that has not passed,
in the scheme's order, and a final offer's suitability assessment; the refusal names them all."""

from hypothesis import given
from hypothesis import strategies as st

from cbl.models.states import OfferCheckKind
from cbl.rules.pre_offer_checks import LABELS, SUITABILITY, missing, refusal

KINDS = st.lists(st.sampled_from(list(OfferCheckKind)), unique=True)


@given(required=KINDS, passed=KINDS, final_offer=st.booleans(), assessed=st.booleans())
def test_missing_is_each_required_check_not_passed_in_order_then_a_final_offers_assessment(
        required, passed, final_offer, assessed):
    found = missing(required, passed, final_offer=final_offer, assessed=assessed)
    expected = [LABELS[kind] for kind in required if kind not in passed]
    assert found == expected + ([SUITABILITY] if final_offer and not assessed else [])
    if found:
        message = refusal(found)
        assert all(name in message for name in found) and message.endswith("as passed first.")


def test_the_edges_nothing_missing_one_and_several():
    both = [OfferCheckKind.VERIFICATION, OfferCheckKind.FRAUD]
    assert missing(both, both, final_offer=False, assessed=False) == []
    assert missing(both, both, final_offer=True, assessed=True) == []
    assert refusal(missing(both, [OfferCheckKind.VERIFICATION], final_offer=False, assessed=False)) == (
        "This household cannot be offered the home yet: record the fraud check as passed first.")
    assert refusal(missing(both, [], final_offer=True, assessed=False)) == (
        "This household cannot be offered the home yet: record the verification of the household's circumstances, "
        "the fraud check and the suitability assessment of this home for this household (a final offer, s193(7F)) "
        "as passed first.")

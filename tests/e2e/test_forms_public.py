"""Public forms show every error at once, each beside its field, and give back everything typed."""

from tests.e2e.test_offers_page import _offer
from tests.e2e.test_reviews import band_lowered  # noqa: F401 (a fixture)
from tests.support.forms import assert_every_error_shown, read_form


def test_signing_in_with_nothing_typed_names_both_fields(visitor, world):
    page = visitor.post("/sign-in", {"reference": "", "password": ""})
    assert page.status_code == 422
    assert_every_error_shown(page.text, {"reference": "Enter your application reference",
                                         "password": "Enter your password"})


def test_a_wrong_password_keeps_the_reference_but_not_the_password(visitor, world):
    page = visitor.post("/sign-in", {"reference": "HR000001", "password": "not it"})
    form = assert_every_error_shown(page.text, {"reference": "Enter a correct application reference and password"})
    assert form.values["reference"] == ["HR000001"] and form.values["password"] == [""]


def test_an_over_long_reference_is_refused_with_its_limit(visitor, world):
    page = visitor.post("/sign-in", {"reference": "HR" * 40, "password": "x"})
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {"reference": "32 characters or fewer"})
    assert form.values["reference"] == ["HR" * 40]


def test_refusing_an_offer_with_no_reason_and_too_much_detail_shows_both_and_keeps_the_detail(visitor, db, world):
    offer_id = _offer(db, world, "HR000001")
    visitor.sign_in("HR000001")
    detail = ("The stairs are too steep for my mother. " * 40).strip()
    page = visitor.post(f"/account/offers/{offer_id}/refuse", {"reason": "", "detail": detail},
                        form_page="/account/offers")
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {
        f"reason-{offer_id}": "Choose the main reason you are refusing this home",
        f"detail-{offer_id}": "Tell us more must be 1,500 characters or fewer (you entered 1,599)"})
    assert form.values["detail"] == [detail]
    assert "You can enter up to 1500 characters" in page.text  # the character count's hint, without JavaScript
    assert "Sign out" in page.text and ">Sign in<" not in page.text  # still the signed-in page, not a bare error


def test_a_reason_not_on_the_schemes_list_is_refused_and_other_needs_detail(visitor, db, world):
    offer_id = _offer(db, world, "HR000001")
    visitor.sign_in("HR000001")
    unknown = visitor.post(f"/account/offers/{offer_id}/refuse", {"reason": "Too purple"}, form_page="/account/offers")
    assert_every_error_shown(unknown.text, {f"reason-{offer_id}": "from the list"})
    other = visitor.post(f"/account/offers/{offer_id}/refuse", {"reason": "Other"}, form_page="/account/offers")
    form = assert_every_error_shown(other.text, {f"detail-{offer_id}": "Tell us why you are refusing this home"})
    assert form.values["reason"] == ["Other"]


def test_an_error_page_keeps_the_signed_in_navigation(visitor, db, world):
    visitor.sign_in("HR000001")
    missing = visitor.post("/account/offers/999999/accept", form_page="/account/offers")
    assert missing.status_code == 404 and "Sign out" in missing.text
    assert read_form(missing.text).summary == {}


def test_asking_for_a_review_with_no_decision_and_over_long_reasons_shows_both(visitor, band_lowered):  # noqa: F811
    assert visitor.sign_in("HR000001").status_code == 303
    reasons = ("We still share one bedroom between five. " * 200).strip()
    page = visitor.post("/account/reviews", {"reasons": reasons, "pending": "yes"}, form_page="/account/reviews")
    assert page.status_code == 422
    form = assert_every_error_shown(page.text, {
        "decision": "Choose the decision you want us to review",
        "reasons": "must be 8,000 characters or fewer (you entered 8,199)"})
    assert form.values["reasons"] == [reasons] and form.values["pending"] == ["yes"]


def test_a_refused_bid_is_shown_in_the_summary_on_the_adverts_own_page(visitor, db, world):
    visitor.sign_in("HR000001")
    refused = visitor.post("/adverts/FAM1/bid", form_page="/adverts/FAM1")  # three bedrooms: not this household's
    assert refused.status_code in (403, 409, 422)
    form = read_form(refused.text)
    assert list(form.summary) == ["main-content"] and "FAM1" in refused.text and "Sign out" in refused.text

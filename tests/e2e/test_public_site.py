"""The applicant site through the real app: sign in, find homes, bid, see the queue move, withdraw."""

import re

from sqlmodel import func, select

from cbl.models import Bid
from cbl.models.states import BidStatus
from cbl.services.actors import staff
from cbl.services.password_links import give as give_password_link
from tests.support.forms import read_form


def _position(page: str, advert: str) -> str:
    block = page.split(f'id="bid-{advert}"', 1)[1]
    return re.search(r'class="cbl-position">([^<]+)<', block).group(1)


def test_an_applicant_signs_in_bids_sees_their_place_move_and_withdraws(visitor, other_visitor, db, world):
    assert visitor.sign_in("HR000001").status_code == 303
    placed = visitor.post("/adverts/AD1/bid", form_page="/adverts/AD1")
    assert placed.status_code == 303 and placed.headers["location"] == "/account/bids?placed=AD1"
    page = visitor.get("/account/bids?placed=AD1").text
    assert "Your bid for AD1 has been placed" in page
    assert _position(page, "AD1") == "You are 1st of 1 eligible bid"

    other_visitor.sign_in("HR000002")  # band A: goes ahead
    other_visitor.post("/adverts/AD1/bid", form_page="/adverts/AD1")
    assert _position(visitor.get("/account/bids").text, "AD1") == "You are 2nd of 2 eligible bids"
    assert "You are 2nd of 2 eligible bids" in visitor.get("/adverts/AD1").text

    with db.reading() as s:
        bid_id = s.exec(select(Bid.id).where(Bid.applicant_id == world.applicants["HR000001"])).one()
    withdrawn = visitor.post(f"/account/bids/{bid_id}/withdraw", form_page="/account/bids")
    assert withdrawn.headers["location"] == "/account/bids?withdrawn=AD1"
    assert "You have no bids in this cycle" in visitor.get("/account/bids").text
    assert _position(other_visitor.get("/account/bids").text, "AD1") == "You are 1st of 1 eligible bid"


def test_a_refused_bid_shows_its_reason_on_the_advert_page_and_loses_nothing(visitor, db, world):
    visitor.sign_in("HR000001")
    answer = visitor.post("/adverts/FAM1/bid", form_page="/adverts/FAM1")
    assert answer.status_code == 409
    assert "There is a problem" in answer.text and "at least 2 bedrooms" in answer.text
    for advert in ("AD1", "AD2", "AD3"):
        assert visitor.post(f"/adverts/{advert}/bid", form_page="/adverts/AD1").status_code == 303
    fourth = visitor.post("/adverts/AD4/bid", form_page="/adverts/AD4")
    assert fourth.status_code == 409 and "used all 3 of your bids" in fourth.text
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(Bid).where(Bid.status == BidStatus.ACTIVE)).one() == 3


def test_homes_i_can_bid_for_gives_the_reason_where_i_cannot(visitor, world):
    visitor.sign_in("HR000001")
    page = visitor.get("/account/homes").text
    assert "You can bid for 5 homes" in page
    assert "at least 2 bedrooms" in page.split("Homes you cannot bid for")[1]


def test_signing_in_needs_the_right_password_and_gives_a_new_session(visitor, world):
    wrong = visitor.sign_in("HR000001", "not the password")
    assert wrong.status_code == 422 and "Enter a correct application reference and password" in wrong.text
    assert "cbl_session" not in wrong.cookies
    visitor.client.cookies.set("cbl_session", "planted-by-an-attacker")
    right = visitor.sign_in("HR000001")
    token = right.cookies.get("cbl_session")
    assert token and token != "planted-by-an-attacker"


def test_signing_out_ends_the_session_on_the_server(visitor, world):
    visitor.sign_in("HR000001")
    token = visitor.client.cookies.get("cbl_session")
    assert visitor.post("/sign-out", form_page="/account").status_code == 303
    visitor.client.cookies.set("cbl_session", token)  # replaying the old cookie
    assert visitor.client.get("/account", follow_redirects=False).status_code == 303


def test_sign_in_is_throttled_after_five_failures_even_with_the_right_password(visitor, world):
    for _ in range(5):
        assert visitor.sign_in("HR000001", "guess").status_code == 422
    throttled = visitor.sign_in("HR000001")
    assert throttled.status_code == 429 and "Too many failed sign-ins" in throttled.text


def test_account_pages_need_sign_in(visitor, world):
    for path in ("/account", "/account/bids", "/account/homes", "/account/offers", "/account/preferences"):
        answer = visitor.client.get(path, follow_redirects=False)
        assert answer.status_code == 303 and answer.headers["location"].startswith("/sign-in")


def test_a_form_posted_without_its_csrf_token_is_refused(visitor, db, world):
    visitor.sign_in("HR000001")
    answer = visitor.client.post("/adverts/AD1/bid", data={}, follow_redirects=False)
    assert answer.status_code == 403
    with db.reading() as s:
        assert s.exec(select(func.count()).select_from(Bid)).one() == 0


def test_the_adverts_list_filters_and_refuses_nonsense_filters_clearly(visitor, world):
    page = visitor.get("/adverts?bedrooms=3").text
    assert "1 home found" in page and "FAM1" in page and "/adverts/AD1" not in page
    assert "6 homes found" in visitor.get("/adverts").text
    assert "0 homes found" in visitor.get("/adverts?area=Nowhere").text
    bad = visitor.get("/adverts?bedrooms=lots")
    assert bad.status_code == 422 and "Bedrooms must be a whole number" in bad.text
    assert visitor.get("/adverts?property_type=castle").status_code == 422
    assert visitor.get("/adverts?page=0").status_code == 422


def test_an_advert_reads_in_plain_words(visitor, world):
    page = visitor.get("/adverts/FAM1").text
    assert "Households who need 2 to 3 bedrooms" in page
    assert "£95.00 a week" in page and "Sign in to bid for this home" in page
    assert visitor.get("/adverts/NOPE").status_code == 404


def test_a_one_time_link_sets_the_password_once(visitor, db, world):
    from cbl.models import StaffUser
    from cbl.web.auth import now

    with db.reading() as s:
        officer = staff(s.get(StaffUser, world.officer))
    token = db.run(give_password_link, officer, world.applicants["HR000003"], now())
    short = visitor.post(f"/set-password/{token}", {"password": "short", "confirmation": "short"},
                         form_page=f"/set-password/{token}")
    assert short.status_code == 422 and "10 characters or more" in short.text
    done = visitor.post(f"/set-password/{token}", {"password": "a new long password", "confirmation":
                                                    "a new long password"}, form_page=f"/set-password/{token}")
    assert done.status_code == 303
    assert visitor.sign_in("HR000003", "a new long password").status_code == 303
    again = visitor.post(f"/set-password/{token}", {"password": "another long one", "confirmation":
                                                     "another long one"}, form_page=f"/set-password/{token}")
    assert again.status_code == 404


def test_saved_preferences_are_kept_and_a_bad_floor_is_explained(visitor, world):
    visitor.sign_in("HR000001")
    bad = visitor.post("/account/preferences", {"areas": ["Northgate"], "max_floor": "top"},
                       form_page="/account/preferences")
    assert bad.status_code == 422 and "Highest floor must be a number" in bad.text
    assert read_form(bad.text).values["areas"] == ["Northgate"]  # nothing typed is lost
    good = visitor.post("/account/preferences", {"areas": ["Northgate"], "max_floor": "2", "auto_bid": "yes"},
                        form_page="/account/preferences")
    assert good.status_code == 303
    page = visitor.get("/account/preferences?saved=1").text
    assert read_form(page).values["areas"] == ["Northgate"] and read_form(page).values["auto_bid"] == ["yes"]


def test_pages_carry_security_headers(visitor, world):
    headers = visitor.get("/adverts").headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"]
    assert "unsafe-inline" not in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY" and headers["referrer-policy"] == "same-origin"


def test_a_household_reads_its_letters_as_sent_and_as_pdf(visitor, other_visitor, db, world):
    from cbl.messages.letters import issue_letter
    from cbl.web.auth import now
    from tests.support.pages import check_page

    with db.transaction() as s:
        letter = issue_letter(s, world.applicants["HR000001"], "suspension",
                              "Your application is suspended from bidding", now(), until=None,
                              reason="Rent arrears of £2,400", rights=_suspension_rights())
    visitor.sign_in("HR000001")
    listing = visitor.get("/account/letters")
    assert f"/account/letters/{letter.id}" in listing.text
    page = visitor.get(f"/account/letters/{letter.id}")
    check_page(page.text)
    assert "Rent arrears of £2,400" in page.text and "section 166A(9)" in page.text
    pdf = visitor.get(f"/account/letters/{letter.id}/pdf")
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    other_visitor.sign_in("HR000002")
    assert other_visitor.get(f"/account/letters/{letter.id}").status_code == 404
    assert other_visitor.get(f"/account/letters/{letter.id}/pdf").status_code == 404
    assert f"/account/letters/{letter.id}" not in other_visitor.get("/account/letters").text


def _suspension_rights():
    """The review right a suspension letter states, as the default scheme gives it today."""
    from datetime import date

    from cbl.models.states import ReviewType
    from cbl.rules.decision_types import review_rights
    from cbl.rules.scheme import load_scheme
    from tests.conftest import SCHEMES

    return review_rights(ReviewType.SUSPENSION, load_scheme(SCHEMES / "default.toml").reviews, date.today())

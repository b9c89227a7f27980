"""A manager sets where a provider's nominations are e-mailed; a wrong address is refused with what was
typed kept; the change is audited and others may not make it."""

from sqlmodel import select

from cbl.models import AuditEvent, Organisation
from tests.e2e.conftest import staff_sign_in
from tests.support.forms import assert_every_error_shown


def _email(db, code="RHA"):
    with db.reading() as s:
        return s.exec(select(Organisation.lettings_email).where(Organisation.code == code)).one()


def test_a_manager_sets_the_lettings_address_and_a_wrong_one_is_refused_with_what_was_typed(visitor, db, staff, world):
    staff_sign_in(visitor, "manager@example.org")
    assert "/admin/providers/RHA" in visitor.get("/admin/agreements").text
    page = "/admin/providers/RHA"
    wrong = visitor.post(page, {"lettings_email": "lettings at rha"}, form_page=page)
    assert wrong.status_code == 422
    form = assert_every_error_shown(wrong.text, {"lettings_email": "right format"})
    assert form.values["lettings_email"] == ["lettings at rha"]
    too_long = visitor.post(page, {"lettings_email": "a" * 250 + "@rha.org"}, form_page=page)
    assert too_long.status_code == 422 and "254 characters or fewer" in too_long.text
    assert _email(db) is None
    saved = visitor.post(page, {"lettings_email": "lettings@rha.org.uk"}, form_page=page)
    assert saved.status_code == 303
    assert "lettings@rha.org.uk" in visitor.get(saved.headers["location"]).text
    assert _email(db) == "lettings@rha.org.uk"
    with db.reading() as s:
        [event] = s.exec(select(AuditEvent).where(AuditEvent.action == "provider.lettings_email")).all()
    assert event.details["to"] == "lettings@rha.org.uk"
    # Emptied: nominations are then only in the provider's portal.
    assert visitor.post(page, {"lettings_email": ""}, form_page=page).status_code == 303
    assert _email(db) is None
    assert visitor.get("/admin/providers/NOPE").status_code == 404


def test_an_officer_may_not_change_a_providers_address(visitor, db, staff, world):
    staff_sign_in(visitor, "officer@example.org")
    assert visitor.get("/admin/providers/RHA").status_code == 403
    assert visitor.post("/admin/providers/RHA", {"lettings_email": "x@y.org"},
                        form_page="/admin/applicants").status_code == 403
    assert _email(db) is None

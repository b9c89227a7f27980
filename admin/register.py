"""The register: find a household, see its whole case, send a sign-in link."""

from dataclasses import dataclass

import sqlalchemy as sa
from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Template
from sqlmodel import Session, func, select

from cbl.database import Database
from cbl.models import Advert, Applicant, AuditEvent, BandAssessment, Bid, HouseholdMember, Offer
from cbl.models.states import Relationship
from cbl.services.actors import staff as staff_actor
from cbl.services.errors import InvalidInput, NotFound
from cbl.services.sign_in import issue_sign_in_link
from cbl.web.auth import now

from .guards import current_staff

PER_PAGE = 25


@dataclass(frozen=True)
class Search:
    text: str
    band: str | None
    page: int


def _search(session: Session, search: Search) -> tuple[list[tuple[Applicant, str]], int]:
    lead = (select(HouseholdMember.applicant_id, HouseholdMember.name)
            .where(HouseholdMember.relationship == Relationship.LEAD).subquery())
    query = select(Applicant, lead.c.name).outerjoin(lead, lead.c.applicant_id == Applicant.id)
    if search.text:
        like = f"%{search.text.lower()}%"
        query = query.where(sa.or_(
            func.lower(Applicant.reference).like(like), func.lower(Applicant.postcode).like(like),
            Applicant.id.in_(select(HouseholdMember.applicant_id).where(func.lower(HouseholdMember.name).like(like))),
        ))
    if search.band:
        query = query.where(Applicant.band == search.band)
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(query.order_by(Applicant.reference).offset((search.page - 1) * PER_PAGE).limit(PER_PAGE)).all()
    return list(rows), total


@get("/applicants", opt={"right": "register.read"}, sync_to_thread=True)
def applicant_search(db: NamedDependency[Database], request: Request, q: FromQuery[str | None] = None,
                     band: FromQuery[str | None] = None, page: FromQuery[str | None] = None) -> Template:
    if page not in (None, "") and (not page.isdigit() or not 1 <= int(page) <= 100_000):
        raise InvalidInput("Page must be a whole number, like 2.", field="page")
    search = Search((q or "").strip()[:100], (band or "").strip()[:16] or None, int(page or 1))
    with db.reading() as session:
        rows, total = _search(session, search)
    return Template("admin/applicants/search.html", context={
        "staff": current_staff(request), "rows": rows, "total": total, "search": search,
        "pages": max(1, -(-total // PER_PAGE))})


def _case(db: Database, reference: str) -> dict:
    with db.reading() as session:
        applicant = session.exec(select(Applicant).where(Applicant.reference == reference)).first()
        if applicant is None:
            raise NotFound(f"There is no application {reference}.")
        by_case = {"applicant_id": applicant.id}
        return {
            "applicant": applicant,
            "members": session.exec(select(HouseholdMember).filter_by(**by_case)
                                    .order_by(HouseholdMember.date_of_birth)).all(),
            "bands": session.exec(select(BandAssessment).filter_by(**by_case)
                                  .order_by(BandAssessment.decided_at.desc())).all(),
            "bids": session.exec(select(Bid, Advert.reference).join(Advert, Advert.id == Bid.advert_id)
                                 .where(Bid.applicant_id == applicant.id).order_by(Bid.placed_at.desc())).all(),
            "offers": session.exec(select(Offer).filter_by(**by_case).order_by(Offer.made_at.desc())).all(),
            "timeline": session.exec(select(AuditEvent).filter_by(**by_case)
                                     .order_by(AuditEvent.at.desc(), AuditEvent.id.desc()).limit(200)).all(),
        }


@get("/applicants/{reference:str}", opt={"right": "register.read"}, sync_to_thread=True)
def applicant_case(db: NamedDependency[Database], request: Request, reference: FromPath[str]) -> Template:
    return Template("admin/applicants/case.html", context={"staff": current_staff(request), **_case(db, reference)})


@post("/applicants/{reference:str}/sign-in-link", opt={"right": "register.write"}, sync_to_thread=True)
def send_sign_in_link(db: NamedDependency[Database], request: Request, reference: FromPath[str]) -> Template:
    """Issue a one-time link for the household to set its password; shown once, to pass on."""
    context = _case(db, reference)
    token = db.run(issue_sign_in_link, staff_actor(current_staff(request)), context["applicant"].id, now())
    link = str(request.base_url).rstrip("/") + f"/set-password/{token}"
    return Template("admin/applicants/case.html", context={
        "staff": current_staff(request), **_case(db, reference), "sign_in_link": link})

"""The household's own letters, as sent: to read again, print or keep as PDF."""

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response, Template
from sqlmodel import select

from cbl.database import Database
from cbl.messages.letters import find_letter, letter_pdf
from cbl.models import OutboxMessage
from cbl.models.states import Channel
from cbl.services.errors import NotFound
from cbl.web.auth import Viewer, signed_in_applicant


def _own_letter(db: Database, applicant_id: int, letter_id: int) -> OutboxMessage:
    with db.reading() as session:
        letter = find_letter(session, letter_id, applicant_id)
    if letter is None:
        raise NotFound("No such letter.")  # another household's letter does not exist, as far as you can tell
    return letter


@get("/account/letters", sync_to_thread=True)
def my_letters(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    with db.reading() as session:
        letters = session.exec(select(OutboxMessage).where(
            OutboxMessage.applicant_id == applicant.id, OutboxMessage.channel == Channel.LETTER)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())).all()
    return Template("public/account/letters.html", context={"viewer": viewer, "letters": letters})


@get("/account/letters/{letter_id:int}", sync_to_thread=True)
def my_letter(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
              letter_id: FromPath[int]) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    return Template("public/account/letter.html", context={
        "viewer": viewer, "letter": _own_letter(db, applicant.id, letter_id)})


@get("/account/letters/{letter_id:int}/pdf", sync_to_thread=True)
def my_letter_pdf(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                  letter_id: FromPath[int]) -> Response[bytes]:
    applicant = signed_in_applicant(viewer, db, request)
    letter = _own_letter(db, applicant.id, letter_id)
    return Response(letter_pdf(letter.body, letter.subject, large_print=letter.large_print), media_type="application/pdf", headers={
        "Content-Disposition": f'inline; filename="letter-{letter.id}.pdf"', "Cache-Control": "no-store"})


ROUTES = [my_letters, my_letter, my_letter_pdf]

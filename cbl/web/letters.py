"""The household's own letters, as sent: to read again, print or keep as PDF."""

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response, Template

from cbl.database import Database
from cbl.messages.letters import letter_pdf
from cbl.models import OutboxMessage
from cbl.queries import account, letters
from cbl.web.auth import Viewer, signed_in_applicant


def _own_letter(db: Database, applicant_id: int, letter_id: int) -> OutboxMessage:
    with db.reading() as session:
        return letters.letter(session, letter_id, applicant_id)[0]


@get("/account/letters", sync_to_thread=True)
def my_letters(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    with db.reading() as session:
        letters = account.letters(session, applicant.id)
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
    return Response(letter_pdf(letter.body, letter.subject, large_print=letter.large_print),
                    media_type="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="letter-{letter.id}.pdf"',
                             "Cache-Control": "no-store"})


ROUTES = [my_letters, my_letter, my_letter_pdf]

"""Letters as issued: printable in the browser, and as PDF for post or the case file."""

from litestar import Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath
from litestar.response import Response, Template

from cbl.database import Database
from cbl.messages.letters import letter_pdf
from cbl.models import OutboxMessage
from cbl.queries import letters

from .guards import current_staff
from cbl.services.rights import Right


def _letter(db: Database, letter_id: int) -> tuple[OutboxMessage, str]:
    with db.reading() as session:
        return letters.letter(session, letter_id)


@get("/letters/{letter_id:int}", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def letter_page(db: NamedDependency[Database], request: Request, letter_id: FromPath[int]) -> Template:
    letter, reference = _letter(db, letter_id)
    return Template("admin/letters/letter.html", context={
        "staff": current_staff(request), "letter": letter, "reference": reference})


@get("/letters/{letter_id:int}/pdf", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def letter_as_pdf(db: NamedDependency[Database], letter_id: FromPath[int]) -> Response[bytes]:
    letter, reference = _letter(db, letter_id)
    return Response(letter_pdf(letter.body, letter.subject, large_print=letter.large_print),
                    media_type="application/pdf", headers={
                        "Content-Disposition": f'inline; filename="{reference}-{letter.template}-{letter.id}.pdf"'})

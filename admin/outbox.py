"""The outbox for staff: what waits, what went, what failed, and whether anything is being delivered."""

from litestar import Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template
from sqlmodel import func, select

from cbl.database import Database
from cbl.messages.claims import advice
from cbl.models import Applicant, OutboxMessage
from cbl.models.states import Channel, OutboxStatus
from cbl.services import actors
from cbl.services.errors import InvalidInput
from cbl.services.outbox import send_again
from cbl.services.rights import Right
from cbl.settings import Settings
from cbl.web.auth import now

from .guards import current_staff

SHOWN = 200


@get("/outbox", opt={"right": Right.REGISTER_READ}, sync_to_thread=True)
def outbox(db: NamedDependency[Database], settings: NamedDependency[Settings], request: Request,
           status: FromQuery[str | None] = None) -> Template:
    try:
        chosen = OutboxStatus(status) if status else None
    except ValueError as error:
        raise InvalidInput("Choose a status from the list.", field="status") from error
    with db.reading() as session:
        counts = dict(session.exec(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all())
        query = select(OutboxMessage, Applicant.reference).outerjoin(Applicant,
                                                                    Applicant.id == OutboxMessage.applicant_id)
        if chosen is not None:
            query = query.where(OutboxMessage.status == chosen)
        rows = session.exec(query.order_by(OutboxMessage.id.desc()).limit(SHOWN)).all()
    # An e-mail's or a text's words (a letter has its own page); never a one-time code or password link.
    words = {message.id: settings.delivery.shown_to_staff(message.template, message.body)
             for message, _ in rows if message.channel is not Channel.LETTER}
    return Template("admin/outbox/outbox.html", context={
        "staff": current_staff(request), "rows": rows, "words": words, "counts": counts,
        "statuses": list(OutboxStatus), "chosen": chosen, "shown": SHOWN, "advice": advice,
        "warning": settings.delivery.warning()})


@post("/outbox/{message_id:int}/send-again", opt={"right": Right.LETTERS_ISSUE}, sync_to_thread=True)
def message_send_again(db: NamedDependency[Database], request: Request, message_id: FromPath[int]) -> Redirect:
    message = db.run(send_again, actors.staff(current_staff(request)), message_id, now())
    if message.applicant_id is not None:
        with db.reading() as session:
            reference = session.get(Applicant, message.applicant_id).reference
        return Redirect(f"/admin/applicants/{reference}#messages", status_code=303)
    return Redirect("/admin/outbox?status=pending", status_code=303)

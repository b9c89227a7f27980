"""Letters to households: rendered from Jinja templates when issued, kept in the outbox as issued.

A letter is evidence of what a household was told and when, so its text is fixed at issue time
(the stored HTML is the letter) and the PDF is drawn from that same text.
"""

from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import jinja2
from markupsafe import escape
from sqlmodel import Session, select

from cbl.rules.working_days import local_date
from cbl.models import Applicant, HouseholdMember, Organisation, OutboxMessage
from cbl.models.states import Channel, OrganisationKind, Relationship
from cbl.rules.wording import money

TEMPLATES = Path(__file__).parents[1] / "templates" / "letters"
STYLESHEET = Path(__file__).parent / "letters.css"


@dataclass(frozen=True)
class Addressee:
    name: str
    address: str
    postcode: str
    reference: str

    @property
    def lines(self) -> list[str]:
        """The address's lines above the postcode: at most five, so that with the name and the
        postcode it fits Notify's address window (seven lines at most)."""
        lines = [line.strip() for line in self.address.split(",") if line.strip()]
        return lines[:4] + [", ".join(lines[4:])] if len(lines) > 5 else lines


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), autoescape=True,
                                     undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    environment.filters["long_date"] = lambda day: f"{day:%-d %B %Y}"
    environment.filters["money"] = money
    return environment


def addressee(session: Session, applicant_id: int) -> Addressee:
    applicant = session.get(Applicant, applicant_id)
    lead = session.exec(select(HouseholdMember.name).where(HouseholdMember.applicant_id == applicant_id,
                                                           HouseholdMember.relationship == Relationship.LEAD)).first()
    return Addressee(lead or "The applicant", applicant.address, applicant.postcode, applicant.reference)


def render(template: str, **context: object) -> str:
    return _environment().get_template(f"{template}.html").render(**context)


def issue_letter(session: Session, applicant_id: int, template: str, subject: str, now: datetime,
                 **context: object) -> OutboxMessage:
    """Render a letter to the household and put it in the outbox, in the caller's transaction."""
    council = session.exec(select(Organisation).where(Organisation.kind == OrganisationKind.COUNCIL)).first()
    contact = [line.strip() for line in (council.contact_details or "").splitlines() if line.strip()] if council else []
    body = render(template, to=addressee(session, applicant_id), council=council.name if council else "The council",
                  contact=contact, dated=local_date(now), subject=subject, **context)
    message = OutboxMessage(channel=Channel.LETTER, template=template, applicant_id=applicant_id, subject=subject,
                            body=body, created_at=now)
    session.add(message)
    from .routing import route_letter  # the household's choices decide how the letter travels

    route_letter(session, message, now)
    return message


def find_letter(session: Session, letter_id: int, applicant_id: int | None = None) -> OutboxMessage | None:
    """A letter as sent; with `applicant_id`, only if it was sent to that household."""
    query = select(OutboxMessage).where(OutboxMessage.id == letter_id, OutboxMessage.channel == Channel.LETTER,
                                        OutboxMessage.applicant_id.is_not(None))
    if applicant_id is not None:
        query = query.where(OutboxMessage.applicant_id == applicant_id)
    return session.exec(query).first()


def letter_document(body: str, subject: str, *, large_print: bool = False):  # noqa: ANN201 - weasyprint's Document
    """The issued letter laid out on A4 pages. Imported here: WeasyPrint loads Pango, which only letters need."""
    from weasyprint import CSS, HTML

    document = f"<!doctype html><html lang='en-GB'><head><meta charset='utf-8'><title>{escape(subject)}</title>" \
               f"</head><body{' class=large-print' if large_print else ''}>{body}</body></html>"
    # No base URL and no fetching: a letter is self-contained, so nothing outside it can be pulled in.
    # Tagged (PDF/UA-1): screen readers follow the headings, paragraphs and address in order.
    return HTML(string=document, url_fetcher=_refuse_fetch).render(
        stylesheets=[CSS(filename=str(STYLESHEET))], pdf_variant="pdf/ua-1")


def letter_pdf(body: str, subject: str, *, large_print: bool = False) -> bytes:
    """The issued letter as a tagged PDF (PDF/UA-1) titled with its subject, as Notify prints it."""
    return letter_document(body, subject, large_print=large_print).write_pdf(pdf_variant="pdf/ua-1")


def letter_text(body: str) -> str:
    """The letter's words as plain text, paragraph by paragraph, for an e-mail."""
    from html.parser import HTMLParser

    class Words(HTMLParser):
        def __init__(self) -> None:
            super().__init__()
            self.parts: list[str] = []

        def handle_starttag(self, tag: str, attrs: list) -> None:
            if tag == "br":
                self.parts.append("\n")
            elif tag in {"p", "h1", "h2", "li", "address", "blockquote", "header"}:
                self.parts.append("\n\n")

        def handle_data(self, data: str) -> None:
            self.parts.append(" ".join(data.split()) if data.strip() else "")

    parser = Words()
    parser.feed(body)
    lines = [" ".join(line.split()) for line in "".join(parser.parts).split("\n")]
    text = "\n".join(lines)
    while "\n\n\n" in text:
        text = text.replace("\n\n\n", "\n\n")
    return text.strip()


def _refuse_fetch(url: str, *args: object, **kwargs: object) -> dict:
    raise ValueError(f"letters fetch nothing: {url}")

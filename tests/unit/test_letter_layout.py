"""Letters meet GOV.UK Notify's precompiled-letter rules and can be read with assistive technology."""

from datetime import date

import pytest

from cbl.messages.letters import Addressee, letter_document, letter_pdf, letter_text, render
from cbl.models.states import ReviewType
from cbl.rules.decision_types import review_rights
from cbl.rules.scheme import load_scheme
from cbl.settings import DEFAULT_SCHEME

MM = 25.4 / 96  # WeasyPrint lays out in CSS pixels
# Notify's printable areas (mm from the page's top left corner).
PAGE = (15.0, 5.0, 195.0, 292.0)
ADDRESS = (24.6, 39.5, 120.0, 66.3)
SENDER = (125.0, 5.0, 195.0, 95.0)
BODY_TOP = 95.0


def _letter(address: str, large_print: bool = False):
    body = render("suspension", to=Addressee("Ann Example", address, "AN1 2BC", "HR000001"), council="Anytown Council",
                  contact=["Town Hall, Market Square, Anytown AN1 1AA", "01632 960000", "lettings@anytown.example"],
                  dated=date(2026, 12, 2), subject="Your application is suspended from bidding",
                  reason="Rent arrears of more than eight weeks. " * 30, until=None,
                  rights=review_rights(ReviewType.SUSPENSION, load_scheme(DEFAULT_SCHEME).reviews, date(2026, 12, 2)))
    return body, letter_document(body, "Your application is suspended from bidding", large_print=large_print)


def _text_boxes(page):  # a weasyprint Page: (text, left, top, right, bottom) in mm
    def walk(box):
        yield box
        for child in getattr(box, "children", None) or []:
            yield from walk(child)
    return [(box.text, box.position_x * MM, box.position_y * MM, (box.position_x + box.width) * MM,
             (box.position_y + box.height) * MM) for box in walk(page._page_box) if type(box).__name__ == "TextBox"]


def _inside(box, area) -> bool:
    return area[0] <= box[1] and area[1] <= box[2] and box[3] <= area[2] and box[4] <= area[3]


@pytest.mark.parametrize("large_print", [False, True])
@pytest.mark.parametrize("address", ["12 High Street, Anytown",
                                     "Flat 4, Riverside Court, 12 High Street, Northgate, Anytown, Shireshire"])
def test_every_page_is_a4_and_the_first_puts_address_sender_and_body_where_notify_prints_them(address, large_print):
    _, document = _letter(address, large_print)
    assert len(document.pages) >= 2  # the long reason runs on: later pages are checked too
    for page in document.pages:
        assert (round(page.width * MM), round(page.height * MM)) == (210, 297)
        assert all(_inside(box, PAGE) for box in _text_boxes(page))
    first = _text_boxes(document.pages[0])
    address_lines = [box for box in first if box[0] in {"Ann Example", "AN1 2BC"} or box[0] in address]
    assert len(address_lines) >= 3 and all(_inside(box, ADDRESS) for box in address_lines)
    assert len(address_lines) <= 7  # Notify takes at most seven lines
    for box in first:
        if box in address_lines:
            continue
        assert box[2] >= BODY_TOP - 0.01 or _inside(box, SENDER), f"{box[0]!r} is outside Notify's areas"
    assert any("01632 960000" in box[0] for box in first if _inside(box, SENDER))  # the council's contact details


def test_the_pdf_is_tagged_titled_and_offers_large_print():
    body, document = _letter("12 High Street, Anytown")
    pdf = document.write_pdf(pdf_variant="pdf/ua-1", uncompressed_pdf=True)
    for marker in (b"/StructTreeRoot", b"/MarkInfo", b"/DisplayDocTitle true", b"/Lang (en-GB)", b"pdfuaid:part"):
        assert marker in pdf, marker
    assert b"Your application is suspended from bidding" in pdf  # the title, in the document information
    assert letter_pdf(body, "Your application is suspended from bidding").startswith(b"%PDF-1.7")
    assert "large print" in letter_text(body)

"""The question pages of an online application (/apply/application) and of a change of circumstances
(/account/changes): one thing per page, each answer saved in the draft as it is given, evidence uploaded, then
check your answers, a declaration and send. A household comes back to where it left off from the overview."""

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import anyio
from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from cbl.database import Database
from cbl.messages import phones
from cbl.models import EvidenceFile, HouseholdAccount, OnlineApplication
from cbl.models.states import OnlineKind
from cbl.queries import applying as applying_queries
from cbl.rules.application_questions import EVIDENCE, MEMBER_RELATIONSHIPS
from cbl.rules.scheme import Scheme
from cbl.services import applying, equality, evidence
from cbl.services.applying import Owner
from cbl.services.errors import DomainError, InvalidInput, NotFound
from cbl.web import forms
from cbl.web.apply_forms import PAGES, Declaration, Upload, answer, read_page, summary
from cbl.web.equality_forms import EqualityForm, answers as given_answers, read_equality
from cbl.web.auth import (
    COOKIE, SignInRequired, Viewer, end_session, now, set_session_cookie, signed_in_account, signed_in_applicant,
    start_session,
)

# An upload is at most 10 MB; the page's other fields and the multipart framing fit in the rest.
UPLOAD_BODY_BYTES = evidence.MAX_BYTES + 256 * 1024


@dataclass(frozen=True)
class Flow:
    kind: OnlineKind
    base: str
    title: str


APPLICATION = Flow(OnlineKind.APPLICATION, "/apply/application", "Apply to join the housing register")
CHANGE = Flow(OnlineKind.CHANGE, "/account/changes", "Tell us about a change of circumstances")


def _owner(flow: Flow, db: Database, viewer: Viewer | None, request: Request) -> Owner:
    if flow is APPLICATION:
        account = signed_in_account(viewer, db, request)
        if account.confirmed_at is None:
            raise SignInRequired("/apply/confirm")
        return Owner(account_id=account.id)
    return Owner(applicant_id=signed_in_applicant(viewer, db, request).id)


@dataclass
class Draft:
    found: OnlineApplication | None
    account: HouseholdAccount | None
    files: list[EvidenceFile]

    @property
    def answers(self) -> dict:
        return self.found.answers if self.found else {}


def _draft(db: Database, owner: Owner) -> Draft:
    with db.reading() as session:
        found = applying.draft(session, owner)
        account = session.get(HouseholdAccount, owner.account_id) if owner.account_id else None
        return Draft(found, account, evidence.evidence_files(session, found.id) if found else [])


def _sent_already(flow: Flow, db: Database, owner: Owner) -> None:
    """An account that has sent its application has nothing more to answer here."""
    if flow is APPLICATION:
        with db.reading() as session:
            if applying.draft(session, owner) is None and applying.latest(session, owner) is not None:
                raise SignInRequired("/account")


def _next(flow: Flow, scheme: Scheme, answers: dict) -> str:
    pages = applying.pages(scheme, flow.kind, answers)
    todo = [page for page in pages if page not in _done(pages, answers)]
    return f"{flow.base}/{todo[0]}" if todo else f"{flow.base}/check"


def _done(pages: list[str], answers: dict) -> set[str]:
    return {page for page in pages if (PAGES[page][2] if page in PAGES else page) in answers}


def _heading(page: str, scheme: Scheme) -> str:
    if page == "area":
        return f"How long have you lived in {scheme.application.area_name}?"
    if page == "equality":
        return "Equality monitoring questions (optional)"
    return PAGES[page][1]


def _asked(flow: Flow, scheme: Scheme, page: str, answers: dict) -> bool:
    return page in applying.pages(scheme, flow.kind, answers) or (page == "member" and flow is APPLICATION)


# --- the overview, to start or come back ------------------------------------------------------------------


def _overview(flow: Flow, db: Database, scheme: Scheme, viewer: Viewer | None, request: Request) -> Template:
    owner = _owner(flow, db, viewer, request)
    _sent_already(flow, db, owner)
    draft = _draft(db, owner)
    pages = applying.pages(scheme, flow.kind, draft.answers)
    done = _done(pages, draft.answers)
    rows = [{"href": f"{flow.base}/{page}", "text": "Evidence" if page == "evidence" else _heading(page, scheme),
             "done": page in done} for page in pages]
    return Template("public/apply/overview.html", context={
        "viewer": viewer, "flow": flow, "rows": rows, "complete": len(done) == len(pages), "draft": draft.found,
        "next": _next(flow, scheme, draft.answers), "keep_days": scheme.application.draft_days})


@get("/apply/application")
async def application_overview(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                               viewer: NamedDependency[Viewer | None], request: Request) -> Template:
    return await anyio.to_thread.run_sync(_overview, APPLICATION, db, scheme, viewer, request)


@get("/account/changes")
async def change_overview(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                          viewer: NamedDependency[Viewer | None], request: Request) -> Template:
    return await anyio.to_thread.run_sync(_overview, CHANGE, db, scheme, viewer, request)


# --- one page -----------------------------------------------------------------------------------------------


def _question(flow: Flow, scheme: Scheme, page: str, form: forms.Form, draft: Draft, viewer: Viewer | None,
              **more: object) -> Template:
    return Template("public/apply/question.html", status_code=form.status, context={
        "viewer": viewer, "flow": flow, "page": page, "form": form, "heading": _heading(page, scheme),
        "action": f"{flow.base}/{page}", "back": f"{flow.base}", "relationships": MEMBER_RELATIONSHIPS,
        "people": draft.answers.get("people") or [], **more})


def _evidence_page(flow: Flow, form: forms.Form, draft: Draft, viewer: Viewer | None, uploaded: bool = False
                   ) -> Template:
    return Template("public/apply/evidence.html", status_code=form.status, context={
        "viewer": viewer, "flow": flow, "form": form, "files": draft.files, "shows": EVIDENCE, "uploaded": uploaded,
        "action": f"{flow.base}/evidence", "limit_mb": evidence.MAX_BYTES // (1024 * 1024), "drafting": True})


def _equality_page(flow: Flow, form: EqualityForm, viewer: Viewer | None) -> Template:
    return Template("public/apply/equality.html", status_code=form.status, context={
        "viewer": viewer, "form": form, "caption": flow.title, "action": f"{flow.base}/equality", "back": flow.base,
        "changing": "You can change or delete your answers later from your account.",
        "save_text": "Save and continue", "skip_text": "Skip these questions"})


def _answer_equality(flow: Flow, db: Database, scheme: Scheme, viewer: Viewer | None, owner: Owner,
                     body: dict) -> Template | Redirect:
    """Answered (action=save) or passed by (action=skip): either way on to what is left, or to check the answers."""
    form = read_equality(body)
    if body.get("action") != "skip" and not form.validate():
        return _equality_page(flow, form, viewer)
    given = None if body.get("action") == "skip" else given_answers(form)
    saved = db.run(applying.pass_equality_questions, owner, given, now())
    return Redirect(_next(flow, scheme, saved.answers), status_code=303)


def _check_page(flow: Flow, scheme: Scheme, form: forms.Form, draft: Draft, viewer: Viewer | None) -> Template:
    pages = applying.pages(scheme, flow.kind, draft.answers)
    done = _done(pages, draft.answers)
    sections = [{"page": page, "heading": _heading(page, scheme), "href": f"{flow.base}/{page}",
                 "rows": summary(read_page(page, scheme, None, draft.answers.get(PAGES[page][2]) or {}))}
                for page in pages if page in PAGES and page in done]
    return Template("public/apply/check.html", status_code=form.status, context={
        "viewer": viewer, "flow": flow, "form": form, "sections": sections, "files": draft.files, "shows": EVIDENCE,
        "people": draft.answers.get("people") or [], "relationships": MEMBER_RELATIONSHIPS,
        "missing": [{"href": f"{flow.base}/{page}", "text": "Evidence" if page == "evidence" else
                     _heading(page, scheme)} for page in pages if page not in done],
        "action": f"{flow.base}/check"})


def _page(flow: Flow, db: Database, scheme: Scheme, viewer: Viewer | None, request: Request, page: str,
          uploaded: bool) -> Template:
    owner = _owner(flow, db, viewer, request)
    _sent_already(flow, db, owner)
    draft = _draft(db, owner)
    if page == "check":
        return _check_page(flow, scheme, forms.read(Declaration, None), draft, viewer)
    if page == "evidence":
        return _evidence_page(flow, forms.read(Upload, None, choices={"shows": list(EVIDENCE.items())}), draft,
                              viewer, uploaded)
    if page == "equality" and _asked(flow, scheme, page, draft.answers):
        with db.reading() as session:
            given = equality.own_answers(session, owner.actor(session),
                                         equality.Household(account_id=owner.account_id))
        return _equality_page(flow, read_equality(None, given), viewer)
    if page not in PAGES or not _asked(flow, scheme, page, draft.answers):
        raise NotFound("There is no such question.")
    kept = {} if page == "member" else draft.answers.get(PAGES[page][2]) or {}
    return _question(flow, scheme, page, read_page(page, scheme, None, kept), draft, viewer)


@get("/apply/application/{page:str}")
async def application_page(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                           viewer: NamedDependency[Viewer | None], request: Request, page: FromPath[str],
                           uploaded: FromQuery[str | None] = None) -> Template:
    return await anyio.to_thread.run_sync(_page, APPLICATION, db, scheme, viewer, request, page, uploaded == "1")


@get("/account/changes/{page:str}")
async def change_page(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                      viewer: NamedDependency[Viewer | None], request: Request, page: FromPath[str],
                      uploaded: FromQuery[str | None] = None) -> Template:
    return await anyio.to_thread.run_sync(_page, CHANGE, db, scheme, viewer, request, page, uploaded == "1")


# --- answering a page ---------------------------------------------------------------------------------------


async def _body(request: Request) -> tuple[dict[str, Any], UploadFile | None, bytes]:
    """A submitted page as a plain body (each field a string, or a list when it repeats), with its file if any."""
    form = await request.form()
    body: dict[str, Any] = {}
    upload, content = None, b""
    for name, values in form.dict().items():
        files = [value for value in values if isinstance(value, UploadFile)]
        if files:
            upload = files[0]
            content = await upload.read()
            continue
        body[name] = values if len(values) > 1 else values[0]
    return body, upload, content


def _contact_problems(form: forms.Form, account: HouseholdAccount | None) -> list[InvalidInput]:
    """A way to hear from us needs somewhere to send it: the account's own address or number, or one given."""
    ways, problems = set(form.ways.data or []), []
    email, phone = form.email.data or "", form.phone.data or ""
    if email and ("@" not in email or " " in email):
        problems.append(InvalidInput("Enter an e-mail address in the right format, like name@example.com.",
                                     field="email"))
    elif "by_email" in ways and not email and not (account and account.email):
        problems.append(InvalidInput("Enter your e-mail address to get e-mails from us.", field="email"))
    if phone and "by_text" in ways and phones.mobile(phone) is None:
        problems.append(InvalidInput("Enter a UK mobile number, like 07700 900123, to get texts.", field="phone"))
    elif "by_text" in ways and not phone and not (account and account.mobile):
        problems.append(InvalidInput("Enter your mobile number to get texts from us.", field="phone"))
    return problems


def _answer_page(flow: Flow, db: Database, scheme: Scheme, viewer: Viewer | None, request: Request, page: str,
                 body: dict, upload: UploadFile | None, content: bytes) -> Template | Redirect:
    owner = _owner(flow, db, viewer, request)
    _sent_already(flow, db, owner)
    if page == "check":
        return _send(flow, db, scheme, viewer, request, owner, body)
    if page == "evidence":
        return _upload(flow, db, viewer, request, owner, body, upload, content)
    if page == "equality" and flow is APPLICATION:
        return _answer_equality(flow, db, scheme, viewer, owner, body)
    return _answer_question(flow, db, scheme, viewer, owner, page, body)


def _answer_question(flow: Flow, db: Database, scheme: Scheme, viewer: Viewer | None, owner: Owner, page: str,
                     body: dict) -> Template | Redirect:
    draft = _draft(db, owner)
    if page not in PAGES or not _asked(flow, scheme, page, draft.answers):
        raise NotFound("There is no such question.")
    if page == "members" and "remove" in body:
        db.run(applying.remove_person, owner, forms.read_index(body["remove"]), now())
        return Redirect(f"{flow.base}/members", status_code=303)
    form = read_page(page, scheme, body)
    if form.validate() and page == "contact":
        for problem in _contact_problems(form, draft.account):
            form.refuse(problem)
    if not form.summary:
        try:
            return _save(flow, db, scheme, owner, page, form)
        except DomainError as error:
            if isinstance(error, NotFound):
                raise
            form.refuse(error)
    return _question(flow, scheme, page, form, draft, viewer)


def _save(flow: Flow, db: Database, scheme: Scheme, owner: Owner, page: str, form: forms.Form) -> Redirect:
    """Keep the page's answer and go on: the household loop goes round adding people until "no more"."""
    if page == "members" and form.more.data == "yes":
        return Redirect(f"{flow.base}/member", status_code=303)
    if page == "member":
        db.run(applying.add_person, owner, answer(form), now())
        return Redirect(f"{flow.base}/members", status_code=303)
    saved = db.run(applying.save_answer, owner, PAGES[page][2], answer(form), now())
    return Redirect(_next(flow, scheme, saved.answers), status_code=303)


def _upload(flow: Flow, db: Database, viewer: Viewer | None, request: Request, owner: Owner, body: dict,
            upload: UploadFile | None, content: bytes) -> Template | Redirect:
    """Upload a file, remove one (remove=ID), or go on (action=continue) to check the answers."""
    if "remove" in body:
        stored = db.run(evidence.remove_evidence, owner, forms.read_index(body["remove"]))
        evidence.forget_files(request.app.state["settings"].uploads_dir, [stored])
        return Redirect(f"{flow.base}/evidence", status_code=303)
    if body.get("action") == "continue":
        saved = db.run(applying.save_answer, owner, "evidence", {"seen": True}, now())
        return Redirect(_next(flow, request.app.state["scheme"], saved.answers), status_code=303)
    form = forms.read(Upload, body, choices={"shows": list(EVIDENCE.items())})
    if _store(db, request, owner, form, upload, content):
        return Redirect(f"{flow.base}/evidence?uploaded=1", status_code=303)
    return _evidence_page(flow, form, _draft(db, owner), viewer)


def _store(db: Database, request: Request, owner: Owner, form: forms.Form, upload: UploadFile | None,
           content: bytes) -> bool:
    """Keep the uploaded file if the form holds and the file is one we take; else False, the reasons on the form."""
    if not form.validate():
        return False
    if upload is None or (not upload.filename and not content):
        form.refuse(InvalidInput("Select a file to upload.", field=evidence.FIELD))
    elif not form.shows.data:
        form.refuse(InvalidInput("Choose what the file shows.", field="shows"))
    else:
        try:
            db.run(evidence.add_evidence, owner, request.app.state["settings"].uploads_dir, upload.filename or "",
                   content, form.shows.data, now())
            return True
        except DomainError as error:
            form.refuse(error)
    return False


def _send(flow: Flow, db: Database, scheme: Scheme, viewer: Viewer | None, request: Request, owner: Owner,
          body: dict) -> Template | Redirect:
    form = forms.read(Declaration, body)
    try:
        if flow is APPLICATION:
            applicant = db.run(applying.submit_application, scheme, owner.account_id, bool(form.declaration.data),
                               now())
            return _as_applicant(db, request, applicant.id)
        db.run(applying.submit_change, scheme, owner.applicant_id, bool(form.declaration.data), now())
        return Redirect("/account?change_sent=1", status_code=303)
    except DomainError as error:
        if isinstance(error, NotFound):
            raise
        form.refuse(error)
    return _check_page(flow, scheme, form, _draft(db, owner), viewer)


def _as_applicant(db: Database, request: Request, applicant_id: int) -> Redirect:
    """Sent: the household is now signed in as its application on the register (a new session)."""
    with db.transaction() as session:
        old = request.cookies.get(COOKIE)
        if old:
            end_session(session, old)
        token = start_session(session, "applicant", applicant_id, now())
    return set_session_cookie(Redirect("/account?sent=1", status_code=303), request, token)


@post("/apply/application/{page:str}", request_max_body_size=UPLOAD_BODY_BYTES)
async def application_answer(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                             viewer: NamedDependency[Viewer | None], request: Request,
                             page: FromPath[str]) -> Template | Redirect:
    body, upload, content = await _body(request)
    return await anyio.to_thread.run_sync(_answer_page, APPLICATION, db, scheme, viewer, request, page, body, upload,
                                          content)


@post("/account/changes/{page:str}", request_max_body_size=UPLOAD_BODY_BYTES)
async def change_answer(db: NamedDependency[Database], scheme: NamedDependency[Scheme],
                        viewer: NamedDependency[Viewer | None], request: Request,
                        page: FromPath[str]) -> Template | Redirect:
    body, upload, content = await _body(request)
    return await anyio.to_thread.run_sync(_answer_page, CHANGE, db, scheme, viewer, request, page, body, upload,
                                          content)


# --- a file, for its household ------------------------------------------------------------------------------


def evidence_download(evidence_row: EvidenceFile, content: bytes) -> Response[bytes]:
    """A kept file, always downloaded (never shown in the site's pages), never cached."""
    fallback = "".join(c if c.isascii() and c.isprintable() and c not in '"\\;' else "_"
                       for c in evidence_row.original_name)
    return Response(content, media_type=evidence_row.content_type, headers={
        "Content-Disposition": f"attachment; filename=\"{fallback}\"; "
                               f"filename*=UTF-8''{quote(evidence_row.original_name, safe='')}",
        "Cache-Control": "no-store"})


def _own_file(db: Database, viewer: Viewer | None, request: Request, file_id: int) -> Response[bytes]:
    if viewer is not None and viewer.kind == "household":
        owner = Owner(account_id=signed_in_account(viewer, db, request).id)
    else:
        owner = Owner(applicant_id=signed_in_applicant(viewer, db, request).id)
    with db.reading() as session:
        found = evidence.owners_file(session, owner, file_id)
    return evidence_download(found, evidence.read_file(request.app.state["settings"].uploads_dir, found))


@get("/apply/evidence/{file_id:int}")
async def own_file(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                   file_id: FromPath[int]) -> Response[bytes]:
    return await anyio.to_thread.run_sync(_own_file, db, viewer, request, file_id)


# --- evidence asked for after sending ------------------------------------------------------------------------

SENT_EVIDENCE = Flow(OnlineKind.APPLICATION, "/account", "Your application")


def _sent_evidence_page(db: Database, viewer: Viewer | None, applicant_id: int, form: forms.Form,
                        uploaded: bool = False) -> Template:
    with db.reading() as session:
        sent = [item.online for item in applying_queries.sent_by(session, applicant_id)
                if item.online.status in applying.OPEN]
        files = [file for online in sent for file in evidence.evidence_files(session, online.id)]
    return Template("public/apply/evidence.html", status_code=form.status, context={
        "viewer": viewer, "flow": SENT_EVIDENCE, "form": form, "files": files, "shows": EVIDENCE, "back": "/account",
        "uploaded": uploaded, "action": "/account/evidence", "limit_mb": evidence.MAX_BYTES // (1024 * 1024),
        "drafting": False, "requests": [online.evidence_request for online in sent if online.evidence_request]})


def _account_evidence(db: Database, viewer: Viewer | None, request: Request, uploaded: bool) -> Template:
    applicant = signed_in_applicant(viewer, db, request)
    form = forms.read(Upload, None, choices={"shows": list(EVIDENCE.items())})
    return _sent_evidence_page(db, viewer, applicant.id, form, uploaded)


@get("/account/evidence")
async def account_evidence(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None], request: Request,
                           uploaded: FromQuery[str | None] = None) -> Template:
    """Evidence for what the household sent and an officer is deciding (when asked for, or at any time)."""
    return await anyio.to_thread.run_sync(_account_evidence, db, viewer, request, uploaded == "1")


def _account_upload(db: Database, viewer: Viewer | None, request: Request, body: dict, upload: UploadFile | None,
                    content: bytes) -> Template | Redirect:
    applicant = signed_in_applicant(viewer, db, request)
    form = forms.read(Upload, body, choices={"shows": list(EVIDENCE.items())})
    if _store(db, request, Owner(applicant_id=applicant.id), form, upload, content):
        return Redirect("/account/evidence?uploaded=1", status_code=303)
    return _sent_evidence_page(db, viewer, applicant.id, form)


@post("/account/evidence", request_max_body_size=UPLOAD_BODY_BYTES)
async def account_upload(db: NamedDependency[Database], viewer: NamedDependency[Viewer | None],
                         request: Request) -> Template | Redirect:
    body, upload, content = await _body(request)
    return await anyio.to_thread.run_sync(_account_upload, db, viewer, request, body, upload, content)


ROUTES = [account_evidence, account_upload, application_overview, change_overview, application_page, change_page,
          application_answer, change_answer, own_file]


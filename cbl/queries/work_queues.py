"""The officers' work queues: what waits on someone, soonest due first (so the overdue first), each task linking
to the page where it is done.

A task on a household's case is its case officer's (`Applicant.case_officer_id`); a review is its reviewer's;
an empty home past the scheme's target is the whole team's (homes are not allocated). Each queue is read by one
statement whatever its length: the page's rows, with how many there are in all and how many are overdue beside
them; the team's counts, every queue for every officer, are one statement more.

Each statement is built once a process and run with the day's values as parameters (`_values`): built afresh,
the queues and the team's counts cost ~15 ms of CPU a page in SQLAlchemy alone.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, func, select

from cbl.models import (
    Advert, Applicant, EvidenceFile, Enquiry, ExchangeListing, ExchangeMatch, ExchangeMember, HouseholdMember,
    MovePayment, Nomination, Offer, OnlineApplication, Organisation, PanelReferral, Property, Review, StaffUser,
    Viewing, ViewingInvitation, Void,
)
from cbl.models.columns import UTCDateTime
from cbl.rules.wording import money
from cbl.models.states import (
    ApplicationStatus, ConsentDecision, EnquiryKind, ExchangeMatchStatus, NominationStatus, OfferStatus, OnlineKind,
    OnlineStatus, OrganisationKind, PanelKind, PanelStatus, Relationship, ReviewStatus, StaffRole, VoidStatus,
)
from cbl.queries.paging import Page
from cbl.rules.scheme import Scheme
from cbl.rules.working_days import local_date, uk_midnight
from cbl.services.lettings import void_days
from cbl.services.panels import KIND_WORDS
from cbl.services.rights import Right

SHOWN = 25  # tasks of each queue on a page; the queue's counts cover them all
CASES_PER_PAGE = 25
REVIEWS_DUE_WITHIN = 7  # days: a review due within a week is on the queue, as are the overdue
OPEN_CASES = (ApplicationStatus.PENDING, ApplicationStatus.ACTIVE, ApplicationStatus.SUSPENDED)
# Who may be shown a queue of their own: the roles that hold cases or reviews.
QUEUE_HOLDERS = (StaffRole.OFFICER, StaffRole.REVIEW_OFFICER, StaffRole.MANAGER)


@dataclass(frozen=True)
class Today:
    """The moment the queues are read at, and the scheme whose targets they use."""

    now: datetime
    scheme: Scheme

    @property
    def day(self) -> date:
        return local_date(self.now)

    @property
    def began(self) -> datetime:
        """The UK day's first moment: a viewing before it was on an earlier day."""
        return uk_midnight(self.day)


# The moment's values in the queues' statements, bound as each is run (`_values`).
DAY = sa.bindparam("day", type_=sa.Date())
NOW = sa.bindparam("now", type_=UTCDateTime())
BEGAN = sa.bindparam("began", type_=UTCDateTime())
REVIEWS_BY = sa.bindparam("reviews_by", type_=sa.Date())  # the last deadline a review on the queue may have
EMPTY_SINCE = sa.bindparam("empty_since", type_=sa.Date())  # a home empty since before it is past the target
OFFICER = sa.bindparam("officer", type_=sa.Integer())


def _values(today: Today, scope: "Scope | None" = None) -> dict[str, Any]:
    values: dict[str, Any] = {"day": today.day, "now": today.now, "began": today.began,
                              "reviews_by": today.day + timedelta(days=REVIEWS_DUE_WITHIN),
                              "empty_since": today.day - timedelta(days=today.scheme.voids.target_days)}
    if scope is not None and scope.officer_id is not None:
        values["officer"] = scope.officer_id
    return values


@dataclass(frozen=True)
class Task:
    queue: str
    what: str
    href: str  # where the work is done
    reference: str | None  # the household's, if the task is on a case
    applicant_id: int | None
    officer_id: int | None  # who holds it (None: no one, or the whole team)
    due: date | None  # the last day to act, where something sets one
    since: date | None  # when it came in, for tasks no deadline is set for
    overdue: bool


@dataclass(frozen=True)
class Queue:
    key: str
    title: str
    tasks: list[Task]  # the first SHOWN, soonest due first
    total: int
    overdue: int
    team: bool  # the whole team's, not held by one officer

    @property
    def more(self) -> int:
        return self.total - len(self.tasks)


@dataclass(frozen=True)
class Scope:
    """Whose tasks: one officer's, no one's (`unallocated`), or everyone's (neither)."""

    officer_id: int | None = None
    unallocated: bool = False

    @property
    def kind(self) -> str:
        return "officer" if self.officer_id is not None else "no one" if self.unallocated else "everyone"

    def holds(self, owner: Any) -> sa.ColumnElement[bool]:
        if self.officer_id is not None:
            return owner == self.officer_id
        return _holds(self.kind, owner)


def _holds(kind: str, owner: Any) -> sa.ColumnElement[bool]:
    """Whose tasks, the officer bound as the statement is run (OFFICER)."""
    return owner == OFFICER if kind == "officer" else owner.is_(None) if kind == "no one" else sa.true()


EVERYONE = Scope()
NO_ONE = Scope(unallocated=True)


@dataclass(frozen=True)
class _Spec:
    """A queue: its query (labelled columns id, owner, applicant_id, reference, due, late, sort and link, and what
    its wording reads), the right that works it, its page's address and its tasks' wording."""

    key: str
    title: str
    short: str  # the title as a column of the team's counts
    right: Right
    query: Callable[[], sa.Select]  # today's values as the bound parameters above
    href: str  # formatted with the row's `link` and `id`
    describe: Callable[[Any, Today], str]
    team: bool = False
    on_cases: bool = True  # its tasks are case officers' (a review is its reviewer's; a void the team's)
    due_of: Callable[[Any, Today], date | None] = lambda row, today: _day(row.due)


def _day(value: date | datetime | None) -> date | None:
    return local_date(value) if isinstance(value, datetime) else value


def _case(*columns: Any) -> list[Any]:
    return [Applicant.case_officer_id.label("owner"), Applicant.id.label("applicant_id"),
            Applicant.reference.label("reference"), *columns]


def _offers() -> sa.Select:
    """Offers waiting for the household's answer, by the day they lapse."""
    return (select(Offer.id.label("id"), *_case(), Offer.respond_by.label("due"), Offer.respond_by.label("sort"),
                   (Offer.respond_by < DAY).label("late"), Offer.id.label("link"),
                   Property.address.label("about"), Offer.final_offer.label("more"))
            .join(Applicant, Applicant.id == Offer.applicant_id).join(Void, Void.id == Offer.void_id)
            .join(Property, Property.id == Void.property_id).where(Offer.status == OfferStatus.MADE))


def _viewings() -> sa.Select:
    """Households asked to a viewing that has happened, whose coming (or not) is not recorded: a block viewing
    until it ends, a viewing of an offer while the offer waits for an answer."""
    return (select(ViewingInvitation.id.label("id"), *_case(), Viewing.at.label("due"), Viewing.at.label("sort"),
                   (Viewing.at < BEGAN).label("late"), Viewing.id.label("link"),
                   Property.address.label("about"), Viewing.block.label("more"))
            .join(Viewing, Viewing.id == ViewingInvitation.viewing_id)
            .join(Applicant, Applicant.id == ViewingInvitation.applicant_id)
            .join(Void, Void.id == Viewing.void_id).join(Property, Property.id == Void.property_id)
            .outerjoin(Offer, Offer.id == ViewingInvitation.offer_id)
            .where(ViewingInvitation.attended.is_(None), Viewing.at <= NOW, Viewing.concluded_at.is_(None),
                   sa.or_(Viewing.block, Offer.status == OfferStatus.MADE)))


def _nominations() -> sa.Select:
    """Nominations waiting for the provider's answer, by the day it is due."""
    return (select(Nomination.id.label("id"), *_case(), Nomination.respond_by.label("due"),
                   Nomination.respond_by.label("sort"), (Nomination.respond_by < DAY).label("late"),
                   Advert.reference.label("link"), Property.address.label("about"), Organisation.name.label("more"))
            .join(Applicant, Applicant.id == Nomination.applicant_id)
            .join(Advert, Advert.id == Nomination.advert_id).join(Property, Property.id == Advert.property_id)
            .join(Organisation, Organisation.id == Nomination.provider_id)
            .where(Nomination.status.in_([NominationStatus.SENT, NominationStatus.VIEWING_ARRANGED])))


def _reviews() -> sa.Select:
    """Open reviews due to be decided within the week, or overdue: each by its deadline as the review periods set
    it (cbl/rules/review_periods.py, kept on the review), or as extended by the household's written agreement."""
    deadline = sa.func.coalesce(Review.extended_to, Review.decide_by)
    return (select(Review.id.label("id"), Review.reviewer_id.label("owner"), Applicant.id.label("applicant_id"),
                   Applicant.reference.label("reference"), deadline.label("due"), deadline.label("sort"),
                   (deadline < DAY).label("late"), Review.id.label("link"),
                   Review.decision_type.label("about"), Review.status.label("more"))
            .join(Applicant, Applicant.id == Review.applicant_id)
            .where(Review.status.in_([ReviewStatus.REQUESTED, ReviewStatus.ACKNOWLEDGED, ReviewStatus.MINDED_TO]),
                   deadline <= REVIEWS_BY))


def _enquiries() -> sa.Select:
    """Enquiries and complaints waiting for their next step, by its deadline: the acknowledgement, the stage 1
    answer, or the stage 2 answer. One about no household is no officer's until a manager sees to it."""
    at_stage_two = Enquiry.escalated_on.is_not(None) & Enquiry.stage_two_answered_on.is_(None)
    unacknowledged = Enquiry.acknowledged_on.is_(None)
    due = sa.case((at_stage_two, Enquiry.stage_two_answer_by), (unacknowledged, Enquiry.acknowledge_by),
                  else_=Enquiry.answer_by)
    step = sa.case((at_stage_two, "stage 2 answer"), (unacknowledged, "acknowledgement"), else_="answer")
    return (select(Enquiry.id.label("id"), *_case(), due.label("due"), due.label("sort"),
                   (due < DAY).label("late"), Enquiry.id.label("link"),
                   Enquiry.kind.label("about"), Enquiry.raised_by.label("raised_by"), step.label("more"))
            .outerjoin(Applicant, Applicant.id == Enquiry.applicant_id)
            .where(Enquiry.answered_on.is_(None) | at_stage_two))


def _applications() -> sa.Select:
    """Applications and changes of circumstances sent online, waiting to be assessed, the longest waiting first
    (no deadline is set for them). Those whose evidence came back are in the next queue."""
    return (select(OnlineApplication.id.label("id"), *_case(), sa.cast(sa.null(), sa.Date).label("due"),
                   OnlineApplication.submitted_at.label("sort"), sa.false().label("late"),
                   OnlineApplication.id.label("link"), OnlineApplication.kind.label("about"),
                   OnlineApplication.submitted_at.label("more"))
            .join(Applicant, Applicant.id == OnlineApplication.applicant_id)
            .where(OnlineApplication.status == OnlineStatus.SUBMITTED,
                   OnlineApplication.evidence_requested_at.is_(None)))


def _evidence() -> sa.Select:
    """Applications and changes whose household has sent the evidence asked for, by the day the first file came."""
    first = (select(func.min(EvidenceFile.uploaded_at))
             .where(EvidenceFile.online_application_id == OnlineApplication.id,
                    EvidenceFile.uploaded_at >= OnlineApplication.evidence_requested_at)
             .correlate(OnlineApplication).scalar_subquery())
    return (select(OnlineApplication.id.label("id"), *_case(), sa.cast(sa.null(), sa.Date).label("due"),
                   first.label("sort"), sa.false().label("late"), OnlineApplication.id.label("link"),
                   OnlineApplication.kind.label("about"), first.label("more"))
            .join(Applicant, Applicant.id == OnlineApplication.applicant_id)
            .where(OnlineApplication.status == OnlineStatus.SUBMITTED,
                   OnlineApplication.evidence_requested_at.is_not(None)))


def _panels() -> sa.Select:
    """Referrals waiting for their medical, welfare or OT panel, by the day the scheme's target has it decided by
    (cbl/queries/panels.py lists the same referrals for the panels' own pages)."""
    return (select(PanelReferral.id.label("id"), *_case(), PanelReferral.due_by.label("due"),
                   PanelReferral.due_by.label("sort"), (PanelReferral.due_by < DAY).label("late"),
                   PanelReferral.id.label("link"), PanelReferral.kind.label("about"),
                   PanelReferral.meets_on.label("more"))
            .join(Applicant, Applicant.id == PanelReferral.applicant_id)
            .where(PanelReferral.status == PanelStatus.REFERRED))


def _panel(row: Any) -> str:
    held = f"meets on {row.more:%-d %B %Y}" if row.more else "no panel arranged yet"
    return f"{KIND_WORDS[PanelKind(_value(row.about))].capitalize()} panel to hold ({held}): its decision is due"


def _voids() -> sa.Select:
    """Homes empty longer than the scheme's target, the longest empty first. The void clock counts the days from
    the day after the tenancy ended (cbl/services/lettings.void_days): past the target once it counts more."""
    return (select(Void.id.label("id"), sa.cast(sa.null(), sa.Integer).label("owner"),
                   sa.cast(sa.null(), sa.Integer).label("applicant_id"),
                   sa.cast(sa.null(), sa.String).label("reference"), Void.tenancy_end_date.label("due"),
                   Void.tenancy_end_date.label("sort"), sa.true().label("late"), Property.reference.label("link"),
                   Property.address.label("about"), Organisation.name.label("more"))
            .join(Property, Property.id == Void.property_id)
            .join(Organisation, Organisation.id == Property.landlord_id)
            .where(Void.status == VoidStatus.OPEN, Void.tenancy_end_date < EMPTY_SINCE))


def _payments() -> sa.Select:
    """Payments to households that move waiting for a manager's decision, the longest waiting first (a manager decides
    only those someone else asked for: cbl/services/move_payments.py)."""
    return (select(MovePayment.id.label("id"), *_case(), sa.cast(sa.null(), sa.Date).label("due"),
                   MovePayment.requested_at.label("sort"), sa.false().label("late"), MovePayment.id.label("link"),
                   MovePayment.kind.label("about"), MovePayment.claimed_pence.label("more"))
            .join(Applicant, Applicant.id == MovePayment.applicant_id)
            .where(MovePayment.decided_at.is_(None)))


def _payment(row: Any) -> str:
    from cbl.models.moves import PaymentKind
    from cbl.services.move_payments import KIND_WORDS

    return f"{KIND_WORDS[PaymentKind(_value(row.about))].capitalize()} of {money(int(row.more))}: approve or refuse it"


def _exchange_consents() -> sa.Select:
    """The council's tenants' applications for consent to a mutual exchange waiting for its decision, by the last day
    a refusal may be served (Housing Act 1985 s92(4)); past it, they wait for consent that may no longer be refused.
    The council decides as landlord, not on a register case: the whole team's queue, whoever holds the case."""
    return (select(ExchangeMember.id.label("id"), sa.cast(sa.null(), sa.Integer).label("owner"),
                   Applicant.id.label("applicant_id"), Applicant.reference.label("reference"),
                   ExchangeMember.consent_by.label("due"),
                   ExchangeMember.consent_by.label("sort"), (ExchangeMember.consent_by < DAY).label("late"),
                   ExchangeMember.id.label("link"), ExchangeListing.area.label("about"),
                   ExchangeMember.decision.label("more"))
            .join(Applicant, Applicant.id == ExchangeMember.applicant_id)
            .join(ExchangeMatch, ExchangeMatch.id == ExchangeMember.match_id)
            .join(ExchangeListing, ExchangeListing.id == ExchangeMember.listing_id)
            .join(Organisation, Organisation.id == ExchangeMember.landlord_id)
            .where(ExchangeMatch.status == ExchangeMatchStatus.WITH_LANDLORDS,
                   ExchangeMember.decision.in_([ConsentDecision.PENDING, ConsentDecision.UNREFUSABLE]),
                   Organisation.kind == OrganisationKind.COUNCIL))


def _exchange(row: Any) -> str:
    if _value(row.more) == ConsentDecision.UNREFUSABLE.value:
        return f"Mutual exchange from {row.about}: consent may no longer be refused (s92(4)); record it"
    return f"Mutual exchange from {row.about}: consent, or a refusal on Schedule 3 grounds, is due"


def _value(state: Any) -> str:
    """A state column's value as stored ("band"), whether it came back as its enum or as text."""
    return str(getattr(state, "value", state))


def _online_kind(row: Any) -> str:
    return "Application" if _value(row.about) == OnlineKind.APPLICATION.value else "Change of circumstances"


def _enquiry(row: Any) -> str:
    kind = "Complaint" if _value(row.about) == EnquiryKind.COMPLAINT.value else "Member's enquiry"
    return f"{kind} from {row.raised_by}: the {row.more} is due"


QUEUES: tuple[_Spec, ...] = (
    _Spec("offers", "Offers waiting for an answer", "Offers", Right.OFFER_RECORD, _offers, "/admin/offers/{link}",
          lambda row, today: f"{'Final offer' if row.more else 'Offer'} of {row.about}: the answer is due"),
    _Spec("viewings", "Viewings to record", "Viewings", Right.OFFER_RECORD, _viewings, "/admin/viewings/{link}",
          lambda row, today: f"{'Block viewing' if row.more else 'Viewing'} of {row.about}: record who came"),
    _Spec("nominations", "Nominations waiting for the provider", "Nominations", Right.NOMINATION_SEND, _nominations,
          "/admin/adverts/{link}/shortlist",
          lambda row, today: f"Nomination to {row.more} for {row.about}: its answer is due"),
    _Spec("reviews", "Reviews due within 7 days or overdue", "Reviews", Right.REVIEW_WORK, _reviews,
          "/admin/reviews/{link}",
          lambda row, today: f"Review of a {_value(row.about).replace('_', ' ')} decision: the decision is due",
          on_cases=False),
    _Spec("enquiries", "Enquiries and complaints", "Enquiries", Right.REVIEW_LOG, _enquiries,
          "/admin/enquiries?enquiry={link}#enquiry-{link}", lambda row, today: _enquiry(row)),
    _Spec("applications", "Applications and changes to assess", "Applications", Right.REGISTER_WRITE, _applications,
          "/admin/online-applications/{link}", lambda row, today: f"{_online_kind(row)} sent online: assess it",
          due_of=lambda row, today: None),
    _Spec("evidence", "Evidence received", "Evidence", Right.REGISTER_WRITE, _evidence,
          "/admin/online-applications/{link}",
          lambda row, today: f"{_online_kind(row)}: the evidence asked for has come", due_of=lambda row, today: None),
    _Spec("exchanges", "Mutual exchanges waiting for consent", "Exchanges", Right.EXCHANGE_CONSENT,
          _exchange_consents, "/admin/exchanges/consents/{link}", lambda row, today: _exchange(row), team=True,
          on_cases=False),
    _Spec("panels", "Panels to hold", "Panels", Right.PANEL_REFER, _panels, "/admin/panels/{link}",
          lambda row, today: _panel(row)),
    _Spec("payments", "Payments to approve", "Payments", Right.PAYMENT_APPROVE, _payments,
          "/admin/move-payments#payment-{link}", lambda row, today: _payment(row), team=True, on_cases=False,
          due_of=lambda row, today: None),
    _Spec("voids", "Homes empty past the target", "Empty homes", Right.STOCK_WRITE, _voids, "/admin/stock/{link}",
          lambda row, today: f"{row.about} ({row.more}): empty {void_days(row.due, today.day)} days, the target is "
                             f"{today.scheme.voids.target_days}", team=True, on_cases=False,
          due_of=lambda row, today: row.due + timedelta(days=today.scheme.voids.target_days)),
)
BY_KEY = {spec.key: spec for spec in QUEUES}


def queue(session: Session, key: str, scope: Scope, today: Today, shown: int = SHOWN) -> Queue:
    """One queue's first tasks for the scope, soonest due first, with its counts: one statement."""
    spec = BY_KEY[key]
    found = session.exec(_queue_statement(key, "everyone" if spec.team else scope.kind, shown),
                         params=_values(today, scope)).all()
    tasks = [_task(spec, row, today) for row in found]
    total, late = (found[0].total, int(found[0].overdue_count or 0)) if found else (0, 0)
    return Queue(spec.key, spec.title, tasks, total, late, spec.team)


@cache
def _queue_statement(key: str, kind: str, shown: int) -> sa.Select:
    rows = BY_KEY[key].query().subquery()
    overdue = func.sum(sa.case((rows.c.late, 1), else_=0)).over()
    return (select(rows, func.count().over().label("total"), overdue.label("overdue_count"))
            .where(_holds(kind, rows.c.owner)).order_by(rows.c.sort, rows.c.id).limit(shown))


def _task(spec: _Spec, row: Any, today: Today) -> Task:
    since = _day(row.sort) if spec.due_of(row, today) is None else None
    return Task(spec.key, spec.describe(row, today), spec.href.format(link=row.link), row.reference, row.applicant_id,
                row.owner, spec.due_of(row, today), since, bool(row.late))


def queues(session: Session, scope: Scope, today: Today, keys: list[str] | None = None) -> list[Queue]:
    """The queues named (all, in order, by default) for the scope."""
    return [queue(session, spec.key, scope, today) for spec in QUEUES if keys is None or spec.key in keys]


def keys_for(may: Callable[[Right], bool]) -> list[str]:
    """The queues someone works: those whose right they hold, and those of cases' tasks only if they hold cases."""
    return [spec.key for spec in QUEUES if may(spec.right) and (not spec.on_cases or may(Right.CASE_TAKE))]


# --- the team's counts, and the cases each officer holds ------------------------------------------------------

@dataclass(frozen=True)
class Count:
    total: int = 0
    overdue: int = 0


@dataclass(frozen=True)
class TeamCounts:
    """Each queue's tasks by who holds them (None: no one), and the open cases each officer holds."""

    by_officer: dict[int | None, dict[str, Count]]
    team: dict[str, Count]  # the whole team's queues (homes past the target), not held by anyone

    def of(self, officer_id: int | None, key: str) -> Count:
        return self.by_officer.get(officer_id, {}).get(key, Count())


def team_counts(session: Session, today: Today) -> TeamCounts:
    """Every queue counted by who holds its tasks, and the open cases by case officer: one statement."""
    by_officer: dict[int | None, dict[str, Count]] = {}
    team: dict[str, Count] = {}
    for key, owner, total, late in session.exec(_team_counts_statement(), params=_values(today)).all():
        count = Count(int(total), int(late or 0))
        if key in BY_KEY and BY_KEY[key].team:
            team[key] = count
        else:
            by_officer.setdefault(owner, {})[key] = count
    return TeamCounts(by_officer, team)


@cache
def _team_counts_statement() -> sa.CompoundSelect:
    parts = []
    for spec in QUEUES:
        rows = spec.query().subquery()
        parts.append(select(sa.literal(spec.key).label("queue"), rows.c.owner.label("owner"),
                            func.count().label("total"), func.sum(sa.case((rows.c.late, 1), else_=0)).label("late"))
                     .group_by(rows.c.owner))
    # The open cases: each officer's grouped, no one's (at go-live, nearly all 150,000) in a plain count. Grouped
    # together, PostgreSQL grouped every case and, on a busy machine, started a parallel worker to do it: the
    # plain count is about half the time, and never in parallel.
    open_cases = Applicant.status.in_(OPEN_CASES)
    parts.append(select(sa.literal("cases").label("queue"), Applicant.case_officer_id.label("owner"),
                        func.count().label("total"), sa.literal(0).label("late"))
                 .where(open_cases, Applicant.case_officer_id.is_not(None)).group_by(Applicant.case_officer_id))
    parts.append(select(sa.literal("cases").label("queue"), sa.cast(sa.null(), sa.Integer).label("owner"),
                        func.count().label("total"), sa.literal(0).label("late"))
                 .where(open_cases, Applicant.case_officer_id.is_(None)))
    return sa.union_all(*parts)


@dataclass(frozen=True)
class Case:
    applicant_id: int
    reference: str
    name: str | None  # the lead applicant's
    status: ApplicationStatus
    band: str | None
    officer_id: int | None


def cases(session: Session, scope: Scope, page: int = 1, total: int | None = None) -> Page[Case]:
    """The open cases an officer holds (or no one holds), by reference, a page at a time: two statements, the count
    and the page. (Counted beside the rows by a window, the count made PostgreSQL join every one of 150,000 cases no
    one holds, at go-live, to its lead to keep 25; apart, the page is read down the reference index and stops.)
    `total`: how many there are, where the caller has counted them in the same transaction (the team's counts):
    counting the 150,000 no one holds again is most of what a page of them costs."""
    held = (Applicant.status.in_(OPEN_CASES), scope.holds(Applicant.case_officer_id))
    if total is None:
        total = session.exec(select(func.count()).select_from(Applicant).where(*held)).one()
    lead = (select(HouseholdMember.applicant_id, HouseholdMember.name)
            .where(HouseholdMember.relationship == Relationship.LEAD).subquery())
    found = session.exec(
        select(Applicant.id, Applicant.reference, lead.c.name, Applicant.status, Applicant.band,
               Applicant.case_officer_id)
        .outerjoin(lead, lead.c.applicant_id == Applicant.id).where(*held)
        .order_by(Applicant.reference).offset((page - 1) * CASES_PER_PAGE).limit(CASES_PER_PAGE)).all()
    return Page([Case(*row) for row in found], page, CASES_PER_PAGE, total)


def queue_holders(session: Session) -> list[StaffUser]:
    """Everyone who may hold cases or reviews, by name: the team a manager filters by (disabled accounts too, so
    that what they still hold can be moved)."""
    return list(session.exec(select(StaffUser).where(StaffUser.role.in_(QUEUE_HOLDERS))
                             .order_by(StaffUser.active.desc(), StaffUser.name, StaffUser.id)).all())

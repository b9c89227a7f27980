"""How a registered provider kept its nomination agreement over a period: the compliance report.

Read-only. Days are UK dates (Europe/London) and time limits UK working days (England's bank
holidays). The agreement sets one share for first lets and one for relets, so the figures come
for each and, where adding them up means something, for both together. `DEFINITIONS` says in a
line each how every figure is worked out; the admin page shows them with the report.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from fractions import Fraction

from sqlmodel import Session, select

from cbl.services.engine_input import GROUP_FLAGS
from cbl.reports.csv_files import sections_csv
from cbl.reports.figures import (  # noqa: F401 - financial_year: the report's default period
    average, check_period, days_text, financial_year, in_period, percent_text, share, share_met,
)
from cbl.rules.working_days import add_working_days, local_date, working_days_between
from cbl.models import Advert, AgreementQuota, Applicant, Nomination, NominationAgreement, Organisation, Property, Void
from cbl.models.states import NominationStatus, VoidStatus
from cbl.rules.scheme import Scheme

from cbl.services.agreements import QUOTA_GROUPS
from cbl.services.errors import NotFound
from cbl.services.nominations import OPEN  # waiting for the provider's answer



def group_label(group: str) -> str:
    """A quota group as the agreement form names it."""
    return QUOTA_GROUPS.get(group) or group.replace("_", " ").capitalize()


DEFINITIONS = (
    "A vacancy falls under the agreement when it is the provider's home and an advert or nomination for it names "
    "the agreement, or none names any agreement and it was notified while the agreement was in force.",
    "Vacancies notified: vacancies logged with the council on a day in the period.",
    "With a nomination sent: of those, the vacancies the council has sent at least one nomination for, so far.",
    "Lets: vacancies whose new tenancy started in the period; lets to council nominees are those where a "
    "nomination ended in the let, and every other let is the provider's own.",
    "Share of lets to council nominees: lets to nominees out of all lets, rounded down to one decimal place; "
    "the agreed share is met when it is at least the share the agreement sets.",
    "Working days to nominate: from the day the vacancy was notified to the day its first nomination was sent, "
    "for the vacancies notified in the period that have had one; on time when sent within the agreement's working "
    "days.",
    "Working days to answer: from the day a nomination sent in the period went to the provider to the day the "
    "provider answered; on time when answered within the agreement's working days.",
    "Declines: nominations declined in the period, by the ground the provider gave.",
    "Quota groups: of the lets to council nominees in the period, the share to households in the group "
    "(as their application records them now), against the agreed minimum.",
    "Overdue: nominations still waiting for the provider's answer after the day it was due, today.",
)


# --- the figures' wording -------------------------------------------------------------------

def on_time(start: date, done: date, working_days: int) -> bool:
    """Done by the end of the last of `working_days` UK working days after `start`."""
    return done <= add_working_days(start, working_days)


def met_text(met: bool | None) -> str:
    return "no lets" if met is None else ("yes" if met else "no")


# --- the report ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Timeliness:
    """How long something took, in UK working days, against the agreement's limit."""

    measured: int
    on_time: int
    average_days: Fraction | None


@dataclass(frozen=True)
class Figures:
    """One column of the measures table: first lets, relets, or all."""

    notified: int
    nominated: int
    lets: int
    nominee_lets: int
    agreed_share: int | None  # None for all lets: the agreement sets a share for each kind only
    to_nominate: Timeliness
    nominations_sent: int
    to_answer: Timeliness
    overdue: int

    @property
    def own_lets(self) -> int:
        return self.lets - self.nominee_lets

    @property
    def share_achieved(self) -> Fraction | None:
        return share(self.nominee_lets, self.lets)

    @property
    def share_met(self) -> bool | None:
        return None if self.agreed_share is None else share_met(self.nominee_lets, self.lets, self.agreed_share)


@dataclass(frozen=True)
class DeclineLine:
    ground: str | None
    label: str
    allowed: bool  # a ground the agreement lets the provider decline on
    first_lets: int
    relets: int

    @property
    def total(self) -> int:
        return self.first_lets + self.relets


@dataclass(frozen=True)
class QuotaLine:
    group: str
    label: str
    min_share_pct: int
    measurable: bool  # the register records who is in the group
    to_group: int
    nominee_lets: int

    @property
    def share_achieved(self) -> Fraction | None:
        return share(self.to_group, self.nominee_lets) if self.measurable else None

    @property
    def met(self) -> bool | None:
        return share_met(self.to_group, self.nominee_lets, self.min_share_pct) if self.measurable else None

    @property
    def share_text(self) -> str:
        return percent_text(self.share_achieved, "no nominee lets" if self.measurable else "not recorded")

    @property
    def met_text(self) -> str:
        return ("no nominee lets" if self.met is None else met_text(self.met)) if self.measurable else "not recorded"


@dataclass(frozen=True)
class OverdueLine:
    nomination_id: int
    advert: str
    applicant: str
    kind: str
    sent_on: date
    respond_by: date
    working_days_late: int


@dataclass(frozen=True)
class Compliance:
    agreement_id: int
    agreement: str
    provider: str
    starts_on: date
    ends_on: date | None
    start: date
    end: date
    today: date
    first_let_share: int
    relet_share: int
    nominate_within_days: int
    respond_within_days: int
    first_lets: Figures
    relets: Figures
    overall: Figures
    declines: tuple[DeclineLine, ...]
    quotas: tuple[QuotaLine, ...]
    overdue: tuple[OverdueLine, ...]

    @property
    def overall_met(self) -> bool | None:
        """Both agreed shares met (a kind with no lets has nothing to meet)."""
        verdicts = [f.share_met for f in (self.first_lets, self.relets) if f.share_met is not None]
        return all(verdicts) if verdicts else None

    @property
    def measures(self) -> list[tuple[str, str, str, str]]:
        """The measures table as it is shown and exported: a heading, then first lets, relets and all."""
        columns = (self.first_lets, self.relets, self.overall)

        def line(heading: str, value) -> tuple[str, str, str, str]:  # noqa: ANN001 - Figures -> str
            return (heading, *(value(f) for f in columns))

        def counted(timeliness: Timeliness) -> str:
            return f"{timeliness.on_time} of {timeliness.measured}"

        met = [met_text(self.first_lets.share_met), met_text(self.relets.share_met), met_text(self.overall_met)]
        return [
            line("Vacancies notified", lambda f: str(f.notified)),
            line("Vacancies notified with a nomination sent", lambda f: str(f.nominated)),
            line("Lets (tenancies started)", lambda f: str(f.lets)),
            line("Lets to council nominees", lambda f: str(f.nominee_lets)),
            line("Lets to the provider's own applicants", lambda f: str(f.own_lets)),
            line("Share of lets to council nominees", lambda f: percent_text(f.share_achieved)),
            line("Agreed share", lambda f: "not applicable" if f.agreed_share is None else f"{f.agreed_share}%"),
            ("Agreed share met", *met),
            line("Average working days from notification to first nomination",
                 lambda f: days_text(f.to_nominate.average_days, "none nominated")),
            line(f"Nominated within {self.nominate_within_days} working days", lambda f: counted(f.to_nominate)),
            line("Nominations sent", lambda f: str(f.nominations_sent)),
            line("Nominations answered by the provider", lambda f: str(f.to_answer.measured)),
            line("Average working days from nomination to the provider's answer",
                 lambda f: days_text(f.to_answer.average_days, "none answered")),
            line(f"Answered within {self.respond_within_days} working days", lambda f: counted(f.to_answer)),
            line("Open nominations overdue for an answer today", lambda f: str(f.overdue)),
        ]


# --- reading the records ---------------------------------------------------------------------

@dataclass(frozen=True)
class _Vacancy:
    id: int
    first_let: bool
    notified_on: date
    let_on: date | None
    marks: frozenset[int]  # the agreements its adverts and nominations name


@dataclass(frozen=True)
class _Sent:
    id: int
    void_id: int
    first_let: bool
    agreement_id: int | None
    advert: str
    applicant: str
    groups: frozenset[str]
    status: NominationStatus
    sent_at: datetime
    answered_at: datetime | None
    respond_by: date
    ground: str | None

    @property
    def sent_on(self) -> date:
        return local_date(self.sent_at)

    @property
    def answered_on(self) -> date | None:
        return local_date(self.answered_at) if self.answered_at else None


def _nominations(session: Session, *where) -> list[_Sent]:  # noqa: ANN002 - SQL conditions
    flags = [getattr(Applicant, flag) for flag in GROUP_FLAGS.values()]
    rows = session.exec(
        select(Nomination, Advert.reference, Advert.void_id, Void.first_let, Applicant.reference, *flags)
        .join(Advert, Advert.id == Nomination.advert_id).join(Void, Void.id == Advert.void_id)
        .join(Applicant, Applicant.id == Nomination.applicant_id).where(*where)
    ).all()
    return [_Sent(n.id, void_id, first_let, n.agreement_id, advert, applicant,
                  frozenset(g for g, on in zip(GROUP_FLAGS, flagged, strict=True) if on), n.status, n.sent_at,
                  n.answered_at, n.respond_by, n.decline_ground)
            for n, advert, void_id, first_let, applicant, *flagged in rows]


def _read(session: Session, agreement: NominationAgreement, start: date, end: date) -> tuple[
        list[_Vacancy], dict[int, list[_Sent]], list[_Sent]]:
    """The provider's vacancies notified or let around the period, every nomination for them, and the
    nominations naming the agreement that were sent around the period or are still open."""
    low = datetime.combine(start - timedelta(days=1), time(), timezone.utc)  # local days, widened a day each way
    high = datetime.combine(end + timedelta(days=2), time(), timezone.utc)
    around = (Property.landlord_id == agreement.provider_id,
              ((Void.logged_at >= low) & (Void.logged_at < high)) | Void.tenancy_start_date.between(start, end))
    voids = session.exec(select(Void).join(Property, Property.id == Void.property_id).where(*around)).all()
    void_ids = select(Void.id).join(Property, Property.id == Void.property_id).where(*around)
    marks: dict[int, set[int]] = defaultdict(set)
    for void_id, agreement_id in session.exec(select(Advert.void_id, Advert.agreement_id).where(
            Advert.void_id.in_(void_ids), Advert.agreement_id.is_not(None))):
        marks[void_id].add(agreement_id)
    by_void: dict[int, list[_Sent]] = defaultdict(list)
    for sent in _nominations(session, Advert.void_id.in_(void_ids)):
        by_void[sent.void_id].append(sent)
        if sent.agreement_id is not None:
            marks[sent.void_id].add(sent.agreement_id)
    named = _nominations(session, Nomination.agreement_id == agreement.id,
                         ((Nomination.sent_at >= low) & (Nomination.sent_at < high)) | Nomination.status.in_(OPEN))
    vacancies = [_Vacancy(v.id, v.first_let, local_date(v.logged_at),
                          v.tenancy_start_date if v.status is VoidStatus.LET else None, frozenset(marks[v.id]))
                 for v in voids]
    return vacancies, by_void, named


def _under_agreement(vacancy: _Vacancy, agreement: NominationAgreement) -> bool:
    if vacancy.marks:
        return agreement.id in vacancy.marks
    return agreement.starts_on <= vacancy.notified_on and (agreement.ends_on is None
                                                           or vacancy.notified_on <= agreement.ends_on)


# --- putting the figures together ------------------------------------------------------------

@dataclass(frozen=True)
class _Facts:
    agreement: NominationAgreement
    start: date
    end: date
    today: date
    vacancies: list[_Vacancy]
    by_void: dict[int, list[_Sent]]
    nominations: list[_Sent]  # the agreement's

    def kind(self, first_let: bool | None) -> "_Facts":
        """The facts for first lets (True), relets (False) or all (None)."""
        if first_let is None:
            return self
        return _Facts(self.agreement, self.start, self.end, self.today,
                      [v for v in self.vacancies if v.first_let is first_let], self.by_void,
                      [n for n in self.nominations if n.first_let is first_let])

    def in_period(self, day: date | None) -> bool:
        return in_period(day, self.start, self.end)


def _nominee_let(facts: _Facts, vacancy: _Vacancy) -> _Sent | None:
    lets = [n for n in facts.by_void.get(vacancy.id, ()) if n.status is NominationStatus.LET]
    return max(lets, key=lambda n: n.sent_at) if lets else None


def _figures(facts: _Facts, agreed_share: int | None) -> Figures:
    agreement = facts.agreement
    notified = [v for v in facts.vacancies if facts.in_period(v.notified_on)]
    first_sent = {v.id: min(n.sent_on for n in facts.by_void[v.id]) for v in notified if facts.by_void.get(v.id)}
    lets = [v for v in facts.vacancies if facts.in_period(v.let_on)]
    sent = [n for n in facts.nominations if facts.in_period(n.sent_on)]
    answered = [(n.sent_on, n.answered_on) for n in sent if n.answered_on is not None]
    nominating = [(v.notified_on, first_sent[v.id]) for v in notified if v.id in first_sent]
    return Figures(
        notified=len(notified), nominated=len(first_sent), lets=len(lets),
        nominee_lets=sum(_nominee_let(facts, v) is not None for v in lets), agreed_share=agreed_share,
        to_nominate=_timeliness(nominating, agreement.nominate_within_days),
        nominations_sent=len(sent), to_answer=_timeliness(answered, agreement.respond_within_days),
        overdue=len(_overdue(facts)),
    )


def _timeliness(spans: list[tuple[date, date]], limit: int) -> Timeliness:
    return Timeliness(len(spans), sum(on_time(begun, done, limit) for begun, done in spans),
                      average(working_days_between(begun, done) for begun, done in spans))


def _overdue(facts: _Facts) -> list[_Sent]:
    return [n for n in facts.nominations if n.status in OPEN and n.respond_by < facts.today]


def _declines(facts: _Facts, scheme: Scheme) -> tuple[DeclineLine, ...]:
    counts: dict[str | None, list[int]] = defaultdict(lambda: [0, 0])
    for n in facts.nominations:
        if n.status is NominationStatus.DECLINED and facts.in_period(n.answered_on or n.sent_on):
            counts[n.ground][0 if n.first_let else 1] += 1
    labels = {ground.code: ground.label for ground in scheme.nominations.decline_grounds}
    order = [*labels, *sorted(g for g in counts if g is not None and g not in labels), None]
    return tuple(DeclineLine(g, labels.get(g, g) if g else "No ground recorded",
                             g in facts.agreement.decline_grounds, *counts[g]) for g in order if g in counts)


def _quotas(facts: _Facts, quotas: list[AgreementQuota]) -> tuple[QuotaLine, ...]:
    nominees = [n for v in facts.vacancies if facts.in_period(v.let_on) if (n := _nominee_let(facts, v))]
    return tuple(QuotaLine(q.group, group_label(q.group),
                           q.min_share_pct, q.group in GROUP_FLAGS,
                           sum(q.group in n.groups for n in nominees), len(nominees))
                 for q in sorted(quotas, key=lambda q: q.group))


def agreement_compliance(session: Session, scheme: Scheme, agreement_id: int, start: date, end: date,
                         today: date | None = None) -> Compliance:
    """How the agreement was kept from `start` to `end` (UK dates, both included); overdue answers as of `today`."""
    check_period(start, end)
    today = today or local_date(datetime.now(timezone.utc))
    agreement = session.get(NominationAgreement, agreement_id)
    if agreement is None:
        raise NotFound("There is no such nomination agreement.")
    provider = session.get(Organisation, agreement.provider_id)
    quotas = list(session.exec(select(AgreementQuota).where(AgreementQuota.agreement_id == agreement.id)))
    vacancies, by_void, named = _read(session, agreement, start, end)
    vacancies = [v for v in vacancies if _under_agreement(v, agreement)]
    covered = {v.id for v in vacancies}
    mine = {n.id: n for n in named}
    for void_id in covered:
        mine.update({n.id: n for n in by_void.get(void_id, ()) if n.agreement_id is None})
    facts = _Facts(agreement, start, end, today, vacancies, by_void, sorted(mine.values(), key=lambda n: n.id))
    overdue = sorted(_overdue(facts), key=lambda n: (n.respond_by, n.id))
    return Compliance(
        agreement_id=agreement.id, agreement=agreement.name, provider=provider.name, starts_on=agreement.starts_on,
        ends_on=agreement.ends_on, start=start, end=end, today=today, first_let_share=agreement.first_let_share,
        relet_share=agreement.relet_share, nominate_within_days=agreement.nominate_within_days,
        respond_within_days=agreement.respond_within_days,
        first_lets=_figures(facts.kind(True), agreement.first_let_share),
        relets=_figures(facts.kind(False), agreement.relet_share),
        overall=_figures(facts, None),
        declines=_declines(facts, scheme),
        quotas=_quotas(facts, quotas),
        overdue=tuple(OverdueLine(n.id, n.advert, n.applicant, "first let" if n.first_let else "relet", n.sent_on,
                                  n.respond_by, working_days_between(n.respond_by, today)) for n in overdue),
    )


# --- as CSV ----------------------------------------------------------------------------------

def compliance_csv(report: Compliance) -> str:
    """The report as one CSV: the agreement and period, then a section for each table, a blank line between."""
    return sections_csv(
        [["Nomination agreement compliance"], ["Agreement", report.agreement], ["Provider", report.provider],
         ["Period from", report.start], ["Period to", report.end], ["Overdue as of", report.today]],
        [["Measure", "First lets", "Relets", "All"], *report.measures],
        [["Decline ground", "Allowed by the agreement", "First lets", "Relets", "All"],
         *[[d.label, "yes" if d.allowed else "no", d.first_lets, d.relets, d.total] for d in report.declines]],
        [["Quota group", "Agreed minimum share", "Lets to nominees in the group", "Lets to nominees",
          "Share achieved", "Met"],
         *[[q.label, f"{q.min_share_pct}%", q.to_group if q.measurable else "not recorded", q.nominee_lets,
            q.share_text, q.met_text] for q in report.quotas]],
        [["Overdue nomination", "Household", "Kind", "Sent", "Answer due by", "Working days late"],
         *[[o.advert, o.applicant, o.kind, o.sent_on, o.respond_by, o.working_days_late] for o in report.overdue]],
    )

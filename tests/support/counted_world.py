"""A council whose size is a parameter, for counting SQL statements per page: at scale k it holds 3k
adverts this week and 3k last week, 6k households, every household's bids, last week's shortlists
with offers, lets and nominations worked from them, and k reviews, enquiries, direct offers, case
notes and letters. The records a page is opened on (an advert, a household, an offer) are the same
at every scale, and the lists around them grow with k: a page whose statements grow with k reads
row by row.
"""

import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from cbl.models import (
    Advert, Applicant, BandAssessment, Bid, Cycle, EqualityAnswers, ExchangeListing, ExchangeMatch, ExchangeMember,
    ImportRun, Offer, OutboxMessage, PaymentReceipt, Property, Review, ShortlistEntry, StaffUser, Viewing, Void,
)
from cbl.models.states import (
    AdvertStatus, ApplicationStatus, Channel, CycleStatus, ExchangeMatchStatus, ExchangeTenancy, ImportStatus,
    ListingStatus, PasswordLinkPurpose, PropertyType, StaffRole, TenancyType,
)
from cbl.rules.equality_categories import QUESTIONS
from cbl.rules.working_days import local_date
from cbl.rules.scheme import Scheme
from cbl.services import actors, password_links
from cbl.services import staff as staff_admin
from cbl.services.actors import SYSTEM
from cbl.services.case_officers import MOST_AT_ONCE, allocate_cases
from cbl.services.cycles import close_cycle
from cbl.services.direct_offers import request_direct_offer
from cbl.services.enquiries import log_enquiry
from cbl.services.imports.jobs import problems_file
from cbl.services.lettings import make_offer, record_tenancy_start
from cbl.services.nominations import send_nomination
from cbl.services.offers import accept_offer
from cbl.services.register import add_note, suspend
from cbl.services.reviews import request_review, reviewable_decisions
from cbl.services.pre_offer_checks import record_check
from cbl.services.shortlisting import skip_entry, verify_entry
from cbl.services.viewings import arrange_viewing
from tests.support.factories import PASSWORD_HASH, add_advert, add_applicant, make_world

BANDS = "BCD"
PROBE = "HR000001"  # the signed-in household: band A, so it tops every shortlist it is on


@dataclass(frozen=True)
class CountedWorld:
    """What the pages are opened on: the same records at every scale."""

    scale: int
    household: str  # reference of the signed-in household
    household_id: int
    open_advert: str  # this week's, bid for by every household
    cycle: int  # this week's cycle, open
    closed_cycle: int  # last week's, closed, its shortlists worked from
    closed_advert: str  # last week's, with its shortlist, offered to the probe household
    home: str  # the property reference of the closed advert
    provider_home: str  # a home of the provider's
    empty_void: int  # an open void not yet advertised
    let_void: int  # a void let through an offer
    offer: int  # the probe household's offer
    review: int
    agreement: int
    letter: int  # one of the probe household's letters
    nomination: int
    staff: dict[StaffRole, int]
    invitation: str  # the link token of a member of staff invited and not yet signed up
    online: int  # an application sent online, in the officers' queue
    online_file: int  # its evidence
    account: int  # a household's account with a draft application
    account_file: int  # a file on that draft
    unconfirmed_account: int  # an account whose code has not been entered yet
    account_link: str  # the link token that account with a draft asked for to set a new password
    household_link: str  # the link token an officer gave the probe household to set its password
    place: int  # the probe household's place on the closed advert's shortlist
    viewing: int  # the viewing of the probe household's offer
    import_run: int  # a file a manager uploaded to import, refused by its check
    referral: int  # the probe household's referral to a medical panel, arranged, with k files before it
    referral_file: int  # one of them
    regeneration: int  # a regeneration scheme decanting 3k households, the probe household among them
    payment: int  # one of the probe household's k disturbance claims, each with its receipt
    receipt: int  # its receipt
    council_consent: int  # the probe household's application for the council's consent to a mutual exchange
    provider_consent: int  # its partner's application for the provider's consent


def _equality_answers(households: list[Applicant]) -> list[EqualityAnswers]:
    """Most households' equality monitoring answers, each question's answers taken in turn (a third give none)."""
    return [EqualityAnswers(applicant_id=household.id, source="online",
                            **{question.key: question.answers[n % len(question.answers)][0] for question in QUESTIONS})
            for n, household in enumerate(households) if n % 3]


def build(session: Session, scheme: Scheme, scale: int, now: datetime, uploads: Path) -> CountedWorld:
    """Fill an empty, migrated database with the world at this scale (evidence files kept in `uploads`)."""
    world = make_world(session, scheme, adverts=3 * scale, now=now)  # this week's adverts, AD1..
    staff = _staff(session, world)
    officer = actors.staff(session.get(StaffUser, staff[StaffRole.OFFICER]))
    last_week = Cycle(name="Last week", opens_at=now - timedelta(days=8), closes_at=now - timedelta(days=5),
                      status=CycleStatus.OPEN)
    session.add(last_week)
    session.flush()
    closed = [add_advert(session, world, f"LW{n}", landlord=world.provider if n % 3 == 0 else world.council,
                         cycle=last_week.id) for n in range(1, 3 * scale + 1)]
    households = [add_applicant(session, scheme, world, PROBE, band="A", verified=True, homeless_duty=True)]
    households += [add_applicant(session, scheme, world, f"HR{n:06d}", band=BANDS[n % 3], verified=True)
                   for n in range(2, 6 * scale + 1)]
    session.add_all([BandAssessment(applicant_id=h.id, band=h.band, effective_date=h.band_date, reason="Assessed",
                                    decided_by_id=world.officer) for h in households])
    session.add_all(_equality_answers(households))
    this_week = session.exec(select(Advert).where(Advert.cycle_id == world.cycle).order_by(Advert.id)).all()
    _bid(session, world.cycle, this_week, households, now - timedelta(hours=1))
    _bid(session, last_week.id, closed, households, last_week.opens_at + timedelta(hours=1))
    close_cycle(session, SYSTEM, scheme, last_week.id, last_week.closes_at + timedelta(minutes=1))
    offer, let_void = _offers_and_lets(session, scheme, officer, closed, households, now)
    nomination = _nominations(session, scheme, officer, closed, now)
    review = _reviews_and_enquiries(session, scheme, staff, households, scale, now)
    _direct_offers(session, scheme, officer, households, world, scale, now)
    _case_histories(session, scheme, officer, households, scale, now)
    _case_officers(session, staff, households, now)
    let_home = session.get(Void, let_void).property_id  # let, and empty again: a void not yet advertised
    empty = Void(property_id=let_home, tenancy_end_date=now.date() - timedelta(days=3))
    session.add(empty)
    session.flush()
    letter = session.exec(select(OutboxMessage.id).where(OutboxMessage.applicant_id == households[0].id,
                                                         OutboxMessage.channel == Channel.LETTER)).first()
    provider_home = session.exec(select(Advert).where(Advert.agreement_id.is_not(None))).first()
    return CountedWorld(
        scale=scale, household=PROBE, household_id=households[0].id, open_advert="AD1", cycle=world.cycle,
        closed_cycle=last_week.id,
        closed_advert=closed[0].reference, home=session.get(Property, closed[0].property_id).reference,
        provider_home=session.get(Property, provider_home.property_id).reference, empty_void=empty.id,
        let_void=let_void, offer=offer, review=review, agreement=world.agreement, letter=letter,
        nomination=nomination, staff=staff, invitation=_invitation(session, now),
        household_link=password_links.give(session, SYSTEM, households[0].id, now),
        place=session.exec(select(ShortlistEntry.id).where(ShortlistEntry.advert_id == closed[0].id,
                                                           ShortlistEntry.applicant_id == households[0].id)).one(),
        viewing=session.exec(select(Viewing.id)).first(),
        import_run=_import_run(session, staff[StaffRole.MANAGER], now),
        **_exchanges(session, world, households, scale, now),
        **_panels(session, scheme, staff, households[0], scale, now, uploads),
        **_online(session, scheme, households[0], scale, now, uploads),
        **_moves(session, scheme, staff, households, scale, now, uploads))


def _moves(session: Session, scheme: Scheme, staff: dict[StaffRole, int], households: list[Applicant], scale: int,
           now: datetime, uploads: Path) -> dict:
    """A regeneration scheme decanting 3k households; the probe household's k disturbance claims with their receipts,
    waiting for a manager; k other households' home loss payments, approved and not yet paid."""
    from datetime import date

    from cbl.services import move_payments, moves

    officer = actors.staff(session.get_one(StaffUser, staff[StaffRole.OFFICER]))
    manager = actors.staff(session.get_one(StaffUser, staff[StaffRole.MANAGER]))
    regeneration = moves.create_regeneration_scheme(session, officer, "Counted Estate", "Blocks A to D",
                                                    date(2027, 3, 31), now)
    open_ones = (ApplicationStatus.PENDING, ApplicationStatus.ACTIVE, ApplicationStatus.SUSPENDED)
    decanted = [households[0], *[h for h in households[1:] if h.status in open_ones][:3 * scale - 1]]
    for household in decanted:
        moves.record_tenancy(session, officer, household.id, "Anytown Council", "", 6, date(2019, 4, 1), now)
        moves.add_decant_household(session, officer, scheme, regeneration.id, household.reference, now)
    moves.mark_downsizing(session, officer, scheme, households[0].id, now)
    claims = [move_payments.request_disturbance(
        session, officer, scheme, uploads, households[0].id, regeneration.id, date(2024, 6, 3), 10_000 + number,
        f"Removal {number + 1}", [move_payments.Receipt(f"receipt-{number}.pdf", b"%PDF-1.4\n%%EOF\n")], now)
        for number in range(scale)]
    for household in decanted[1:scale + 1]:
        loss = move_payments.request_home_loss(session, officer, scheme, household.id, regeneration.id,
                                               date(2024, 6, 3), now)
        move_payments.decide_payment(session, manager, scheme, loss.id, True, None, 0, "", "", now)
    session.flush()
    receipt = session.exec(select(PaymentReceipt.id).where(PaymentReceipt.payment_id == claims[0].id)).one()
    return {"regeneration": regeneration.id, "payment": claims[0].id, "receipt": receipt}


def _online(session: Session, scheme: Scheme, probe: Applicant, scale: int, now: datetime, uploads: Path) -> dict:
    """k applications sent online with their evidence, a household's draft, an unconfirmed account, and the probe
    household's change of circumstances in the queue."""
    from cbl.models import HouseholdAccount
    from cbl.services import applying
    from cbl.services.evidence import add_evidence
    from tests.support.applying import answers

    def account(contact: str, confirmed: bool = True) -> HouseholdAccount:
        made = HouseholdAccount(email=contact, password_hash=PASSWORD_HASH, created_at=now,
                                confirmed_at=now if confirmed else None)
        session.add(made)
        session.flush()
        return made

    pdf = b"%PDF-1.4\n%%EOF\n"
    sent = []
    for number in range(scale):
        owner = applying.Owner(account_id=account(f"sent{number}@example.net").id)
        for key, value in answers(name=f"Sent Online {number}").items():
            found = applying.save_answer(session, owner, key, value, now)
        file_id = add_evidence(session, owner, uploads, "passport.pdf", pdf, "identity", now).id
        applying.submit_application(session, scheme, owner.account_id, True, now)
        sent.append((found.id, file_id))
    changing = applying.Owner(applicant_id=probe.id)
    applying.save_answer(session, changing, "change", {"what": "new_address", "on": "2026-10-01"}, now)
    applying.save_answer(session, changing, "change_address", {"address": "2 New Road", "postcode": "AT1 3CD"}, now)
    applying.save_answer(session, changing, "evidence", {"seen": True}, now)
    applying.submit_change(session, scheme, probe.id, True, now)
    drafting = applying.Owner(account_id=account("drafting@example.net").id)
    for key, value in list(answers(name="Drafting Household").items())[:6]:
        applying.save_answer(session, drafting, key, value, now)
    draft_file = add_evidence(session, drafting, uploads, "payslip.pdf", pdf, "income", now).id
    link = password_links.issue(session, session.get_one(HouseholdAccount, drafting.account_id),
                                PasswordLinkPurpose.RESET, timedelta(hours=1), now).token
    return {"online": sent[0][0], "online_file": sent[0][1], "account": drafting.account_id,
            "account_file": draft_file, "unconfirmed_account": account("new@example.net", confirmed=False).id,
            "account_link": link}


def _panels(session: Session, scheme: Scheme, staff: dict[StaffRole, int], probe: Applicant, scale: int,
            now: datetime, uploads: Path) -> dict:
    """The probe household's k welfare panels, each decided, and its referral to a medical panel, arranged, with k
    files before it."""
    from cbl.services import panels

    officer = actors.staff(session.get_one(StaffUser, staff[StaffRole.OFFICER]))
    member = StaffUser(organisation_id=session.get_one(StaffUser, officer.id).organisation_id, name="Panel member",
                       email="panel.member@example.org", role=StaffRole.OFFICER, password_hash=PASSWORD_HASH)
    session.add(member)
    session.flush()
    sitting = [member.id, staff[StaffRole.MANAGER]]
    for number in range(scale):
        decided = panels.refer(session, officer, scheme, probe.id, "welfare", f"Welfare case {number + 1}.", now)
        panels.arrange(session, officer, decided.id, local_date(now), sitting, now)
        panels.decide(session, actors.staff(member), scheme, decided.id,
                      panels.Recommendation(access=frozenset({"level_access_shower"})), "Needs a level shower.", now)
    waiting = panels.refer(session, officer, scheme, probe.id, "medical", "Cannot manage stairs.", now)
    panels.arrange(session, officer, waiting.id, local_date(now), sitting, now)
    files = [panels.add_evidence(session, officer, uploads, waiting.id, f"letter-{number}.pdf",
                                 b"%PDF-1.4\n%%EOF\n", "medical", now).id for number in range(scale)]
    return {"referral": waiting.id, "referral_file": files[0]}
def _exchanges(session: Session, world, households: list[Applicant], scale: int, now: datetime) -> dict:
    """k two-way mutual exchanges waiting for the landlords' consent (the probe household's first, with a provider's
    tenant), and k listings more in the pool."""
    applied_on = local_date(now) - timedelta(days=3)

    def listing(household: Applicant, landlord: int, area: str, wants: str, status: ListingStatus) -> ExchangeListing:
        secure = landlord == world.council
        row = ExchangeListing(applicant_id=household.id, landlord_id=landlord,
                              tenancy=ExchangeTenancy.SECURE if secure else ExchangeTenancy.ASSURED,
                              address=f"{household.reference} Road", postcode="AT2 2AA", area=area, bedrooms=1,
                              property_type=PropertyType.FLAT, weekly_rent_pence=9000, want_areas=[wants],
                              want_min_bedrooms=1, want_max_bedrooms=2, want_types=["flat"], status=status)
        session.add(row)
        return row

    members = []
    for n in range(scale):
        one, two = households[2 * n], households[2 * n + 1]
        mine = listing(one, world.council, "Northgate", "Riverside", ListingStatus.MATCHED)
        theirs = listing(two, world.provider, "Riverside", "Northgate", ListingStatus.MATCHED)
        match = ExchangeMatch(status=ExchangeMatchStatus.WITH_LANDLORDS, proposed_at=now, applied_on=applied_on)
        session.add(match)
        session.flush()
        pair = [ExchangeMember(match_id=match.id, listing_id=a.id, applicant_id=a.applicant_id,
                               landlord_id=a.landlord_id, moves_into_id=b.id, position=p, interested=True,
                               consent_by=applied_on + timedelta(days=42))
                for p, (a, b) in enumerate([(mine, theirs), (theirs, mine)])]
        session.add_all(pair)
        members.append(pair)
    for household in households[2 * scale:3 * scale]:
        listing(household, world.council, "Old Town", "Millbrook", ListingStatus.ACTIVE)
    session.flush()
    return {"council_consent": members[0][0].id, "provider_consent": members[0][1].id}


def _case_officers(session: Session, staff: dict[StaffRole, int], households: list[Applicant], now: datetime) -> None:
    """Every other household is the officer's case (the rest no one's yet) and every review the review officer's,
    so that the work queues list tasks of each kind for them."""
    manager = actors.staff(session.get_one(StaffUser, staff[StaffRole.MANAGER]))
    held = [household.id for household in households[::2]]
    for start in range(0, len(held), MOST_AT_ONCE):
        allocate_cases(session, manager, held[start:start + MOST_AT_ONCE], staff[StaffRole.OFFICER], now)
    session.exec(sa.update(Review).values(reviewer_id=staff[StaffRole.REVIEW_OFFICER]))


def _import_run(session: Session, manager: int, now: datetime) -> int:
    """A homes file whose check found a problem, with its list of problems on disk."""
    stored = Path(tempfile.mkdtemp(prefix="cbl-counted-")) / "upload.csv"
    problems_file(str(stored)).write_text("row,column,problem\r\n2,type,“castle” is not a type of home\r\n")
    run = ImportRun(kind="homes", file_name="homes.csv", stored_as=str(stored), size_bytes=200,
                    status=ImportStatus.REFUSED, rows=1, problem_count=1, uploaded_by_id=manager, uploaded_at=now,
                    first_problems=[{"row": 2, "column": "type", "message": "“castle” is not a type of home"}])
    session.add(run)
    session.flush()
    return run.id


def _invitation(session: Session, now: datetime) -> str:
    """The token of an invitation to a new member of staff, read from the e-mail that carries it."""
    invitee = staff_admin.Invitee("Ivy Invited", "ivy@example.org", StaffRole.OFFICER, 2)
    user = staff_admin.invite(session, SYSTEM, invitee, lambda path: path, now)
    message = session.exec(select(OutboxMessage).where(OutboxMessage.staff_user_id == user.id)).one()
    return message.body.split("/admin/set-password/", 1)[1].split()[0]


def _staff(session: Session, world) -> dict[StaffRole, int]:  # a factories.World
    people = {StaffRole.OFFICER: world.officer}
    for role in StaffRole:
        if role is StaffRole.OFFICER:
            continue
        user = StaffUser(organisation_id=world.provider if role is StaffRole.PROVIDER else world.council,
                         email=f"{role.value}@example.org", name=f"{role.value} person", role=role, grade=3,
                         password_hash=PASSWORD_HASH)
        session.add(user)
        session.flush()
        people[role] = user.id
    return people


def _bid(session: Session, cycle_id: int, adverts: list[Advert], households: list[Applicant], at: datetime) -> None:
    """Every household bids for the cycle's first advert and two more, round the list."""
    for number, household in enumerate(households):
        chosen = [adverts[0], *(adverts[(number + step) % len(adverts)] for step in (1, 2))]
        chosen = list({advert.id: advert for advert in chosen}.values())
        for preference, advert in enumerate(chosen, start=1):
            session.add(Bid(advert_id=advert.id, applicant_id=household.id, cycle_id=cycle_id,
                            preference=preference, placed_at=at))
    session.flush()


def _top(session: Session, scheme: Scheme, officer: actors.Actor, advert: Advert, taken: set[int],
         now: datetime) -> ShortlistEntry | None:
    """The advert's best eligible household not already taken; those above it, taken by another home, are skipped
    with the scheme's reason, as an officer would (an offer waits for every place above: s167(8))."""
    for entry in session.exec(select(ShortlistEntry).where(ShortlistEntry.advert_id == advert.id,
                                                           ShortlistEntry.eligible)
                              .order_by(ShortlistEntry.position)).all():
        if entry.applicant_id not in taken:
            return entry
        skip_entry(session, officer, scheme, entry.id, "offered_elsewhere", "", now)
    return None


def _offers_and_lets(session: Session, scheme: Scheme, officer: actors.Actor, closed: list[Advert],
                     households: list[Applicant], now: datetime) -> tuple[int, int]:
    """The probe household is offered the first council home; of the other council homes, every other one
    is let through an offer and the rest wait for an answer."""
    council = [advert for advert in closed if advert.agreement_id is None]
    taken: set[int] = set()
    first_offer, let_void = None, None
    for number, advert in enumerate(council):
        entry = _top(session, scheme, officer, advert, taken, now)
        if entry is None:
            continue
        taken.add(entry.applicant_id)
        verify_entry(session, officer, entry.id, now)
        record_check(session, officer, scheme, entry.id, "fraud", True, "", now)
        offer = make_offer(session, officer, scheme, entry.id, now)
        if first_offer is None:
            first_offer = offer.id
            arrange_viewing(session, officer, offer.id, now + timedelta(days=2), True, now)
            continue
        if number % 2:
            accept_offer(session, actors.applicant(session.get(Applicant, entry.applicant_id)), offer.id, now)
            void = session.get(Void, advert.void_id)
            record_tenancy_start(session, officer, offer.id, void.tenancy_end_date + timedelta(days=7), now,
                                 tenancy_type=TenancyType.SECURE, rent_at_let_pence=9_500,
                                 keys_given_on=local_date(now))
            let_void = let_void or void.id
    assert first_offer is not None and let_void is not None, "the world needs an offer and a let"
    return first_offer, let_void


def _nominations(session: Session, scheme: Scheme, officer: actors.Actor, closed: list[Advert],
                 now: datetime) -> int:
    """Each of the provider's homes last week: its top household (other than the probe) nominated."""
    taken = {row for row in session.exec(select(Offer.applicant_id)).all()}
    taken |= {session.exec(select(Applicant.id).where(Applicant.reference == PROBE)).one()}
    first = None
    for advert in closed:
        if advert.agreement_id is None:
            continue
        entry = _top(session, scheme, officer, advert, taken, now)
        if entry is None:
            continue
        taken.add(entry.applicant_id)
        verify_entry(session, officer, entry.id, now)
        nomination = send_nomination(session, officer, entry.id, now)
        first = first or nomination.id
    assert first is not None, "the world needs a nomination"
    return first


def _reviews_and_enquiries(session: Session, scheme: Scheme, staff: dict[StaffRole, int],
                           households: list[Applicant], scale: int, now: datetime) -> int:
    """k households ask for a review of their band, and k enquiries are logged about them."""
    reviewer = actors.staff(session.get(StaffUser, staff[StaffRole.REVIEW_OFFICER]))
    first = None
    for household in households[1:scale + 1]:
        decision = next(d for d in reviewable_decisions(session, household.id) if d.subject_type == "band_assessment")
        review = request_review(session, reviewer, scheme, household.id, decision.key, "The band is wrong.", now)
        first = first or review.id
        log_enquiry(session, reviewer, scheme, "member", "Cllr Jones", "Asks about the band.", now.date(),
                    household.reference, now)
    return first


def _case_histories(session: Session, scheme: Scheme, officer: actors.Actor, households: list[Applicant], scale: int,
                    now: datetime) -> None:
    """The probe household's case grows with the world: k notes, and a suspension and its letter."""
    for number in range(scale):
        add_note(session, officer, households[0].id, f"Called the household ({number + 1}).", now)
    active = [household for household in households[1:] if household.status is ApplicationStatus.ACTIVE]
    for household in active[-scale:]:
        suspend(session, officer, scheme, household.id, now.date() + timedelta(days=30), "Arrears", now)


def _direct_offers(session: Session, scheme: Scheme, officer: actors.Actor, households: list[Applicant], world,
                   scale: int, now: datetime) -> None:
    """k homes standing empty outside bidding, each proposed to a household as a direct offer."""
    active = [household for household in households[1:] if household.status is ApplicationStatus.ACTIVE]
    for number in range(scale):
        advert = add_advert(session, world, f"DO{number + 1}", cycle=world.cycle)
        advert.status = AdvertStatus.DRAFT
        session.add(advert)
        request_direct_offer(session, officer, scheme, advert.void_id, active[number].reference,
                             "decant", "The household's block is being demolished.", False, now)
    session.flush()

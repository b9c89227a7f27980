"""Page latency at a council's load: `python -m tools.bench_pages [--database postgresql]`.

Fills a database as a sub-regional scheme's (150,000 households, 10,000 homes, a year of weekly
lets: see tools.council), serves it with `cbl serve`, signs in applicants and staff, then for
SECONDS sends RATE requests a second spread evenly over every public, account, admin and provider
page (and, with --bids N, N API bids a second besides), and prints requests, p50, p95 and p99 per
page. The target: every page's p95 under 100 ms and p99 under 250 ms.

    python -m tools.bench_pages [--database sqlite|postgresql] [--rate 30] [--seconds 60] [--bids 0]
                                [--workers 2] [--server gunicorn|uvicorn|granian] [--households 150000]
    python -m tools.bench_pages --url URL   # a database an earlier --keep run filled: no seeding
"""

import argparse
import asyncio
import random
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from datetime import datetime, timezone

import httpx
import sqlalchemy as sa

from cbl import demo
from cbl.database import Database
from cbl.models import (
    Advert, Applicant, Cycle, NominationAgreement, Offer, Property, StaffUser, Void,
)
from cbl.models.states import AdvertStatus, CycleStatus, StaffRole, VoidStatus
from cbl.services import second_factor
from tests.support import databases as throwaway
from tools import council, load

CSRF = re.compile(r'name="_csrf_token" value="([^"]+)"')
P95_TARGET, P99_TARGET = 0.100, 0.250


def pages(url: str) -> list[tuple[str, str]]:
    """(who, path) for every page, with real references from the database. who: "public",
    "applicant", "officer", "manager" or "provider"."""
    db = Database(url)
    with db.reading() as s:
        def first(query):  # noqa: ANN001, ANN202
            return s.execute(query.limit(1)).scalar()

        open_cycle = sa.select(Cycle.id).where(Cycle.status == CycleStatus.OPEN)
        live = first(sa.select(Advert.reference).where(Advert.cycle_id.in_(open_cycle),
                                                       Advert.status == AdvertStatus.LIVE).order_by(Advert.id))
        shortlisted = first(sa.select(Advert.reference).join(Cycle, Cycle.id == Advert.cycle_id)
                            .where(Cycle.status == CycleStatus.CLOSED, Advert.reference.like("AD%")))
        past_let = first(sa.select(Advert.reference).where(Advert.reference.like("W01-%")))
        household = first(sa.select(Applicant.reference).order_by(Applicant.id))
        home = first(sa.select(Property.reference).order_by(Property.id))
        agreement = first(sa.select(NominationAgreement.id))
        offer = first(sa.select(Offer.id).order_by(Offer.id.desc()))
        let_void = first(sa.select(Void.id).where(Void.status == VoidStatus.LET).order_by(Void.id.desc()))
        unadvertised = first(sa.select(Void.id).where(Void.status == VoidStatus.OPEN,
                                                      Void.id.not_in(sa.select(Advert.void_id))))
    db.dispose()
    found = [
        ("public", "/"), ("public", "/adverts"), ("public", "/adverts?page=2"), ("public", f"/adverts/{live}"),
        ("public", "/results"), ("public", "/sign-in"), ("public", "/api/v1/adverts"),
        ("public", f"/api/v1/adverts/{live}"),
        ("applicant", "/account"), ("applicant", "/account/bids"), ("applicant", "/account/homes"),
        ("applicant", "/account/offers"), ("applicant", "/account/preferences"), ("applicant", "/account/reviews"),
        ("applicant", "/account/letters"),
        ("officer", "/admin"), ("officer", "/admin/applicants"), ("officer", "/admin/applicants?band=B&status=active"),
        ("officer", f"/admin/applicants/{household}"), ("officer", "/admin/applicants/new"),
        ("officer", "/admin/adverts"), ("officer", f"/admin/adverts/{shortlisted}/shortlist"),
        ("officer", f"/admin/adverts/{past_let}/shortlist"),
        ("officer", f"/admin/adverts/{shortlisted}/shortlist/print"),
        ("officer", "/admin/stock"), ("officer", f"/admin/stock/{home}"), ("officer", "/admin/stock/new"),
        ("officer", f"/admin/offers/{offer}"), ("officer", "/admin/direct-offers"),
        ("officer", "/admin/register-review"),
        ("officer", "/admin/reviews"), ("officer", "/admin/reviews/new"), ("officer", "/admin/enquiries"),
        ("officer", f"/admin/lets/{let_void}/core"), ("officer", f"/admin/voids/{unadvertised}/advert"),
        ("manager", "/admin/dashboard"), ("manager", "/admin/agreements"), ("manager", "/admin/agreements/new"),
        ("manager", f"/admin/agreements/{agreement}/compliance"), ("manager", f"/admin/agreements/{agreement}/edit"),
        ("manager", "/admin/reviews/report"), ("manager", "/admin/core"),
        ("manager", "/admin/team"), ("manager", "/admin/team?officer=none"),
        ("provider", "/admin/provider"),
    ]
    return [(who, path) for who, path in found if "None" not in path]


async def _sign_in(client: httpx.AsyncClient, form: str, fields: dict[str, str]) -> None:
    page = await client.get(form)
    token = CSRF.search(page.text).group(1)
    answer = await client.post(form, data={**fields, "_csrf_token": token})
    if answer.status_code != 303:
        raise RuntimeError(f"signing in at {form} as {fields} answered {answer.status_code}")


async def clients(base: str, applicants: list[str], url: str) -> dict[str, list[httpx.AsyncClient]]:
    """Signed-in clients for each kind of visitor: ten applicants, and one member of staff each."""
    def client() -> httpx.AsyncClient:
        return httpx.AsyncClient(base_url=base, timeout=30, follow_redirects=False)

    db = Database(url)
    with db.reading() as s:
        emails: dict[StaffRole, str] = dict(s.execute(
            sa.select(StaffUser.role, StaffUser.email).order_by(StaffUser.id.desc())).all())
    db.dispose()
    signed_in: dict[str, list[httpx.AsyncClient]] = {"public": [client()], "applicant": []}
    for reference in applicants[:10]:
        signed_in["applicant"].append(c := client())
        await _sign_in(c, "/sign-in", {"reference": reference, "password": demo.DEMO_PASSWORD})
    for who, role in (("officer", StaffRole.OFFICER), ("manager", StaffRole.MANAGER), ("provider", StaffRole.PROVIDER)):
        signed_in[who] = [c := client()]
        await _sign_in(c, "/admin/sign-in", {"email": emails[role], "password": demo.DEMO_PASSWORD})
        # The second step: the code the demo staff's authenticator app shows now (each account once a step).
        code = second_factor.current_code(demo.DEMO_SECOND_FACTOR, datetime.now(timezone.utc))
        await _sign_in(c, "/admin/sign-in/code", {"code": code})
    return signed_in


def page_sender(visitors: dict[str, list[httpx.AsyncClient]], every: list[tuple[str, str]]) -> load.Send:
    """Each call asks for the next page in a shuffled round of them all, as one of its visitors."""
    rng = random.Random(3)
    queue: list[tuple[str, str]] = []

    async def send() -> tuple[str, int]:
        if not queue:
            queue.extend(rng.sample(every, len(every)))
        who, path = queue.pop()
        answer = await rng.choice(visitors[who]).get(path)
        return f"{who:<9} {path}", answer.status_code

    return send


def bid_sender(base: str, tokens: int, adverts: list[str]) -> load.Send:
    """API bids by households with tokens, each withdrawn again once it has three."""
    rng, client = random.Random(5), httpx.AsyncClient(base_url=base, timeout=30)
    placed: dict[int, list[int]] = {}

    async def send() -> tuple[str, int]:
        who = rng.randrange(tokens)
        headers = {"authorization": f"Bearer bench-token-{who}"}
        mine = placed.setdefault(who, [])
        if len(mine) >= 3:
            answer = await client.delete(f"/api/v1/me/bids/{mine.pop(0)}", headers=headers)
            return "api       DELETE /api/v1/me/bids/{id}", answer.status_code
        answer = await client.post("/api/v1/me/bids", json={"advert": rng.choice(adverts)}, headers=headers)
        if answer.status_code == 201:
            mine.append(answer.json()["id"])
        return "api       POST /api/v1/me/bids", answer.status_code

    return send


def live_adverts(url: str) -> list[str]:
    db = Database(url)
    with db.reading() as s:
        references = s.execute(sa.select(Advert.reference).join(Cycle, Cycle.id == Advert.cycle_id).where(
            Cycle.status == CycleStatus.OPEN, Advert.status == AdvertStatus.LIVE)).scalars().all()
    db.dispose()
    return list(references)


async def run(base: str, url: str, applicants: list[str], tokens: int, args: argparse.Namespace) -> load.Tally:
    visitors = await clients(base, applicants, url)
    every = [(who, path) for who, path in pages(url) if path.split("?")[0] not in args.skip]
    for who, path in every:  # once each before measuring: templates compiled, connections opened
        await visitors[who][0].get(path)
    tally = load.Tally()
    streams = [load.at_rate(page_sender(visitors, every), args.rate, args.seconds, tally)]
    if args.bids:
        streams.append(load.at_rate(bid_sender(base, tokens, live_adverts(url)), args.bids, args.seconds, tally,
                                    seed=2))
    await asyncio.gather(*streams)
    for group in visitors.values():
        for client in group:
            await client.aclose()
    return tally


@contextmanager
def seeded(args: argparse.Namespace) -> Iterator[tuple[str, list[str], int]]:
    """(url, applicants who sign in, API tokens): a fresh database filled now, or --url as filled before."""
    if args.url:
        db = Database(args.url)
        with db.reading() as s:
            applicants = list(s.execute(sa.select(Applicant.reference).where(
                Applicant.password_hash.is_not(None), Applicant.reference > "HR002000")
                .order_by(Applicant.id)).scalars())
        db.dispose()
        yield args.url, applicants, council.TOKENS
        return
    manager = (throwaway.database(args.database, prefix="cbl_pages") if not args.keep
               else nullcontext(throwaway.kept_database(args.database, "pages")))
    with manager as url:
        started = time.perf_counter()
        filled = council.seed(url, households=args.households)
        print(f"Seeded {args.households:,} households, {council.STOCK:,} homes and {council.WEEKS} weeks of lets in "
              f"{time.perf_counter() - started:.0f} s{f' at {url}' if args.keep else ''}.", flush=True)
        yield url, filled.applicants, filled.tokens


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--url", help="a database filled by an earlier run with --keep (no seeding)")
    parser.add_argument("--keep", action="store_true", help="keep the filled database and print its URL")
    parser.add_argument("--households", type=int, default=council.HOUSEHOLDS)
    parser.add_argument("--rate", type=float, default=30, help="page requests a second (default 30)")
    parser.add_argument("--bids", type=float, default=0, help="API bids a second besides (default none)")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip", action="append", default=[], metavar="PATH",
                        help="leave this page out (e.g. one slow enough to hold a worker for seconds)")
    parser.add_argument("--server", choices=sorted(load.SERVERS), default="gunicorn",
                        help="gunicorn (with uvicorn workers) is what `cbl serve` runs; "
                             "the others serve cbl.asgi:create")
    args = parser.parse_args(argv)
    if args.database == "postgresql" and not args.url and not throwaway.postgres_reachable():
        print(f"postgresql: nothing answers at {throwaway.ADMIN_URL}", file=sys.stderr)
        return 1
    with seeded(args) as (url, applicants, tokens):
        with load.server(url, args.workers, args.server) as base:
            tally = asyncio.run(run(base, url, applicants, tokens, args))
        print(f"\n{args.server}, {args.workers} workers, {url.split('://')[0]}: {args.rate:g} page requests a second"
              f"{f' and {args.bids:g} API bids a second' if args.bids else ''} for {args.seconds:g} s")
        missed = load.print_table(tally, args.seconds, P95_TARGET, P99_TARGET)
    print(f"Target p95 < {P95_TARGET * 1000:.0f} ms and p99 < {P99_TARGET * 1000:.0f} ms: "
          + (f"{len(missed)} pages missed it." if missed else "every page met it."))
    return 0


if __name__ == "__main__":
    sys.exit(main())

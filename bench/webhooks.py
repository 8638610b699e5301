"""Webhook intake under load: 2,000 signed Stripe events (20 % duplicates, shuffled so some
race their original) against a running `confops serve` on PostgreSQL and a real localstripe.

Unique events: payment_intent.succeeded for N paid orders (each handler re-reads the intent
from localstripe) and one charge.refunded event per 1-cent refund made at localstripe (each
handler re-lists the intent's refunds there). Afterwards the
database must hold exactly one inbox row, one confirmation and one refund per unique event;
anything more is a duplicate applied. Confirmations draw invoice numbers concurrently: they
must be exactly 1..N.

    CONFOPS_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \
      .venv/bin/python bench/webhooks.py [--events 2000] [--concurrency 32] [--workers 2]
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import hmac
import json
import os
import random
import secrets
import socket
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import asyncpg
import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SECRET_KEY = "sk_test_bench"
WEBHOOK_SECRET = "whsec_bench"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def spawn(argv: list[str], log: Path, **kwargs) -> subprocess.Popen:
    return subprocess.Popen(argv, stdout=log.open("wb"), stderr=subprocess.STDOUT, **kwargs)


def sign(payload: bytes) -> str:
    t = int(time.time())
    return f"t={t},v1=" + hmac.new(WEBHOOK_SECRET.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()


def event(kind: str, obj: dict) -> bytes:
    return json.dumps({"id": f"evt_{secrets.token_hex(10)}", "object": "event", "type": kind,
                       "created": int(time.time()), "data": {"object": obj}}).encode()


async def wait_http(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    async with httpx.AsyncClient() as http:
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise RuntimeError(f"{proc.args[0]} exited")
            try:
                await http.get(url, timeout=1)
                return
            except httpx.HTTPError:
                await asyncio.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


async def seed(db_url: str, stripe_url: str, paid_orders: int, refunds: int) -> tuple[list[str], list[tuple[str, str]]]:
    """An event, `paid_orders` orders each with an intent confirmed at localstripe (pm_card_visa),
    and `refunds` 1-cent refunds made at localstripe (as from Stripe's dashboard)."""
    from confops.accounts.tables import Organizer
    from confops.core import clock
    from confops.db import connection_pool, make_engine, migrate
    from confops.events.tables import Event
    from confops.payments.gateway import configure, stripe
    from confops.payments.service import start_checkout
    from confops.registration.capacity import ensure_sales
    from confops.registration.config import configure as configure_registration
    from confops.registration.intake import AttendeeIn, OrderIn
    from confops.registration.orders import place_order
    from confops.registration.tables import Category
    from settings import Settings

    engine = make_engine(db_url)
    await migrate(engine)
    configure_registration(base_url="http://bench", hold_minutes=60, offer_hours=24, secret="bench-secret-" * 4)
    configure(Settings(database_url=db_url, stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET,
                       stripe_api_base=stripe_url))
    intents = []
    async with connection_pool(engine):
        org = Organizer(slug="bench", name="Bench Society", short_name="B")
        await org.save()
        start = clock.now() + timedelta(days=60)
        ev = Event(organizer=org.id, slug="bench", title="Bench Meeting", kind="national_meeting",
                   status="published", starts_at=start, ends_at=start + timedelta(days=1), capacity=None,
                   venue_name="Hall", registration_opens_at=clock.now() - timedelta(days=1),
                   registration_closes_at=start - timedelta(days=1), edit_deadline=start)
        await ev.save()
        await ensure_sales(ev.id)
        await Category(event=ev.id, code="member", label="Member", eligibility="", early_cents=10000,
                       regular_cents=10000, late_cents=10000, position=1).save()
        async with httpx.AsyncClient(base_url=stripe_url, headers={"Authorization": f"Bearer {SECRET_KEY}"}) as http:
            for i in range(paid_orders):
                placed = await place_order("bench", OrderIn(
                    buyer_name="Bench", buyer_email=f"b{i}@example.org", idempotency_key=f"bench-{i}",
                    attendees=[AttendeeIn(category="member", email=f"b{i}@example.org", first_name="B",
                                          last_name=str(i), answers={})]), hold_minutes=60, base_url="http://bench")
                intent = await start_checkout(placed.id)
                await http.post(f"/v1/payment_intents/{intent.id}", data={"payment_method": "pm_card_visa"})
                await http.post(f"/v1/payment_intents/{intent.id}/confirm")
                intents.append(intent.id)
            made = []
            for k in range(refunds):
                pi = intents[k % len(intents)]
                r = await http.post("/v1/refunds", data={"payment_intent": pi, "amount": 1})
                made.append((pi, r.json()["id"]))
        assert stripe() is not None
    return intents, made


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--duplicates", type=float, default=0.2)
    parser.add_argument("--paid-orders", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    admin_url = os.environ.get("CONFOPS_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
    name = f"confops_bench_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(admin_url)
    await admin.execute(f'CREATE DATABASE "{name}"')
    db_url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    tmp = ROOT / "var" / "bench"
    tmp.mkdir(parents=True, exist_ok=True)
    stripe_port, app_port = free_port(), free_port()
    stripe_url, app_url = f"http://127.0.0.1:{stripe_port}", f"http://127.0.0.1:{app_port}"
    localstripe = spawn([str(Path(sys.executable).parent / "localstripe"), "--port", str(stripe_port),
                         "--from-scratch"], tmp / "localstripe.log")
    server = None
    try:
        await wait_http(f"{stripe_url}/v1/balance", localstripe)
        unique_n = round(args.events * (1 - args.duplicates))
        refund_n = unique_n - args.paid_orders
        intents, made = await seed(db_url, stripe_url, args.paid_orders, refund_n)
        env = {**os.environ, "CONFOPS_ENV": "test", "CONFOPS_DATABASE_URL": db_url, "CONFOPS_VAR_DIR": str(tmp),
               "CONFOPS_SECRET_KEY": "bench-secret-" * 4, "CONFOPS_BASE_URL": app_url,
               "CONFOPS_STRIPE_SECRET_KEY": SECRET_KEY, "CONFOPS_STRIPE_WEBHOOK_SECRET": WEBHOOK_SECRET,
               "CONFOPS_STRIPE_API_BASE": stripe_url, "CONFOPS_IN_APP_WORKER": "0"}
        server = spawn([sys.executable, "-m", "confops.cli", "serve", "--port", str(app_port),
                        "--workers", str(args.workers)], tmp / "server.log", cwd=ROOT, env=env)
        await wait_http(f"{app_url}/health", server)

        unique = [event("payment_intent.succeeded", {"id": pi, "object": "payment_intent"}) for pi in intents]
        unique += [event("charge.refunded", {"id": f"ch_{k}", "object": "charge", "payment_intent": pi,
                                             "refunds": {"data": [{"id": re_id, "amount": 1}]}})
                   for k, (pi, re_id) in enumerate(made)]
        rng = random.Random(7)
        sends = unique + [rng.choice(unique) for _ in range(args.events - unique_n)]
        rng.shuffle(sends)
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        queue: asyncio.Queue[bytes] = asyncio.Queue()
        for payload in sends:
            queue.put_nowait(payload)

        async def sender(http: httpx.AsyncClient) -> None:
            while not queue.empty():
                payload = queue.get_nowait()
                t0 = time.perf_counter()
                r = await http.post("/webhooks/stripe", content=payload,
                                    headers={"Stripe-Signature": sign(payload), "Content-Type": "application/json"})
                latencies.append((time.perf_counter() - t0) * 1000)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        started = time.perf_counter()
        async with httpx.AsyncClient(base_url=app_url, timeout=60,
                                     limits=httpx.Limits(max_connections=args.concurrency)) as http:
            await asyncio.gather(*(sender(http) for _ in range(args.concurrency)))
        elapsed = time.perf_counter() - started

        db = await asyncpg.connect(db_url)
        inbox = await db.fetchval("SELECT count(*) FROM webhook_event")
        unprocessed = await db.fetchval("SELECT count(*) FROM webhook_event WHERE processed_at IS NULL")
        refunds = await db.fetchval("SELECT count(*) FROM refund")
        refunded = await db.fetchval("SELECT coalesce(sum(refunded_cents), 0) FROM payment")
        confirmed = await db.fetchval("SELECT count(*) FROM registration_order WHERE status = 'confirmed'")
        mails = await db.fetchval("SELECT count(*) FROM outbox_message")
        # Invoice numbers are drawn as webhooks confirm orders concurrently: 1..N, none twice.
        numbers = [r["number"] for r in await db.fetch("SELECT number FROM invoice ORDER BY number")]
        await db.close()
        invoice_gaps = len(set(range(1, confirmed + 1)) ^ set(numbers)) + (len(numbers) - len(set(numbers)))
        duplicates_applied = max(0, inbox - unique_n) + max(0, refunds - refund_n) + max(0, refunded - refund_n) \
            + max(0, confirmed - len(intents)) + max(0, mails - len(intents))
        latencies.sort()
        p50 = latencies[len(latencies) // 2]
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"sent={len(sends)} unique={unique_n} statuses={statuses} workers={args.workers} "
              f"concurrency={args.concurrency}")
        print(f"inbox={inbox} unprocessed={unprocessed} refunds={refunds} confirmed={confirmed} mails={mails} "
              f"invoices={len(numbers)} invoice_gaps_or_duplicates={invoice_gaps}")
        print(f"events_per_s={len(sends) / elapsed:.0f} p50_ms={p50:.1f} p99_ms={p99:.1f} "
              f"duplicates_applied={duplicates_applied}")
    finally:
        for proc in (server, localstripe):
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(timeout=15)
        await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await admin.close()


if __name__ == "__main__":
    asyncio.run(main())

"""Back office at meeting scale: dashboard, every export (CSV + one XLSX workbook) and a bulk
e-mail queued, for an event with N confirmed registrations, on a fresh SQLite file (or
PostgreSQL with --pg).

    .venv/bin/python bench/backoffice.py [--people 2000] [--pg postgresql://postgres@127.0.0.1:5432/postgres]

Last line: people=… dashboard_ms=… exports_csv_ms=… workbook_ms=… workbook_kb=… bulk_mail_ms=…
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


async def _fill(people: int) -> dict:
    from confops.accounts.tables import Organizer
    from confops.core import clock
    from confops.events.tables import Event
    from confops.payments.tables import Payment
    from confops.registration.capacity import ensure_sales
    from confops.registration.tables import AddOn, Attendee, AttendeeAddOn, Category, Order

    org = Organizer(slug="bench", name="Bench Society", short_name="B")
    await org.save()
    start = clock.now() + timedelta(days=60)
    event = Event(organizer=org.id, slug="bench", title="Bench meeting", kind="national_meeting", status="published",
                  starts_at=start, ends_at=start + timedelta(days=2), capacity=people + 100)
    await event.save()
    await ensure_sales(event.id)
    cats = [Category(event=event.id, code=c, label=c.title(), regular_cents=50000, sold=people // 2, eligibility="")
            for c in ("member", "resident")]
    await Category.insert(*cats)
    banquet = AddOn(event=event.id, code="banquet", label="Banquet", price_cents=7500, description="")
    await banquet.save()
    diets = ["", "", "", "vegetarian", "vegan", "gluten free"]
    for batch in range(0, people, 250):
        orders = [Order(event=event.id, buyer_name=f"P{n}", buyer_email=f"p{n}@example.org", status="confirmed",
                        total_cents=50000, idempotency_key=uuid.uuid4().hex, pricing_snapshot="{}", token_hash="x")
                  for n in range(batch, min(batch + 250, people))]
        saved = await Order.insert(*orders).returning(Order.id)
        attendees = [Attendee(order=o["id"], event=event.id, category=cats[i % 2].id, first_name=f"First{o['id']}",
                              last_name=f"Last{o['id']}", email=f"p{o['id']}@example.org", profession="physician",
                              dietary=diets[i % len(diets)], accessibility="", checkin_code=uuid.uuid4().hex,
                              created_at=clock.now() - timedelta(days=i % 40))
                     for i, o in enumerate(saved)]
        made = await Attendee.insert(*attendees).returning(Attendee.id)
        await AttendeeAddOn.insert(*[AttendeeAddOn(attendee=a["id"], addon=banquet.id) for a in made[::3]])
        await Payment.insert(*[Payment(order=o["id"], provider="manual", provider_id=uuid.uuid4().hex,
                                       amount_cents=50000, status="succeeded", message="", reference="")
                               for o in saved])
    return {"id": event.id, "organizer": org.id, "title": "Bench meeting", "slug": "bench"}


async def main(people: int, pg: str) -> None:
    from bench.harness import pg_execute
    from confops.backoffice import bulkmail, exports
    from confops.backoffice.dashboard import dashboard
    from confops.backoffice.spreadsheets import to_csv, to_xlsx
    from confops.db import connection_pool, make_engine, migrate, use_engine

    tmp = tempfile.mkdtemp()
    name = f"bench_bo_{uuid.uuid4().hex[:8]}"
    url = f"sqlite:///{tmp}/bench.db"
    if pg:
        await pg_execute(pg, f'CREATE DATABASE "{name}"')
        url = pg.rsplit("/", 1)[0] + f"/{name}"
    engine = make_engine(url)
    use_engine(engine)
    await migrate(engine)
    try:
        async with connection_pool(engine):
            event = await _fill(people)
            t = time.perf_counter()
            board = await dashboard(event["id"])
            dash_ms = (time.perf_counter() - t) * 1000
            assert board.registered == people, board.registered
            t = time.perf_counter()
            tables = await exports.all_tables(event["id"])
            csv_bytes = sum(len(to_csv(table)) for table in tables)
            csv_ms = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            workbook = to_xlsx(tables)
            xlsx_ms = (time.perf_counter() - t) * 1000
            t = time.perf_counter()
            mailing = await bulkmail.send(event, bulkmail.Audience(), "News", "Dear {first_name}", None)
            mail_ms = (time.perf_counter() - t) * 1000
            print(f"engine={'postgres' if pg else 'sqlite'} tables={len(tables)} csv_kb={csv_bytes // 1024} "
                  f"recipients={mailing.recipients}")
            print(f"people={people} dashboard_ms={dash_ms:.0f} exports_csv_ms={csv_ms:.0f} workbook_ms={xlsx_ms:.0f} "
                  f"workbook_kb={len(workbook) // 1024} bulk_mail_ms={mail_ms:.0f}")
    finally:
        if pg:
            await pg_execute(pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--pg", default="")
    args = parser.parse_args()
    asyncio.run(main(args.people, args.pg))

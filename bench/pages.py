"""Staff pages and exports at meeting size (issue 29): the national meeting grown to 2,000 and
then 20,000 registrations on a scratch PostgreSQL database, served by `confops serve --workers
2`, each page requested one at a time (after one untimed request), with p50/p95 and bytes at
both sizes and the ratio; exports also with how much the server's memory grew.

    .venv/bin/python bench/pages.py [--sizes 2000,20000] [--requests 20] [--pg postgresql://…/postgres]

The event is grown with tests/support/grow.py (orders of 1–3 attendees, half paid, a third of
the paid checked in, CME claims for half of those): bulk inserts of the rows the project's own
functions write, so 20,000 registrations take seconds rather than an hour of place_order.
Last line: worst_page=… worst_p95_ms=… worst_ratio_page=… worst_ratio=… worst_export_s=…
"""

from __future__ import annotations

import argparse
import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import DEFAULT_PG, SECRET, scratch_database, serving  # noqa: E402

SLUG = "abs-national-meeting"
EXPORTS = {"registrations.csv", "registrations.xlsx", "catering.xlsx", "signage.csv", "payments.csv",
           "checkins.csv", "cme claims.csv (export)", "cme claims.csv"}


def pages(event_id: int, attendee_id: int, order_id: int) -> dict[str, tuple[str, str]]:
    """name -> (who, path): registrar pages, and the CME coordinator's; one person's and one
    order's pages for a confirmed registration of the demo (the same at both sizes)."""
    base = f"/staff/events/{SLUG}"
    return {
        "registrations": ("registrar", f"{base}/registrations/"),
        "registrations page 200": ("registrar", f"{base}/registrations/?page=200"),
        "registrations search": ("registrar", f"{base}/registrations/?q=grown"),
        "accessibility": ("registrar", f"{base}/registrations/accessibility"),
        "dashboard": ("registrar", f"{base}/dashboard"),
        "exports page": ("registrar", f"{base}/exports"),
        "badges": ("registrar", f"{base}/badges/"),
        "badges by name": ("registrar", f"{base}/badges/?name=Chen"),
        "badges unprinted p20": ("registrar", f"{base}/badges/?role=attendee&not_printed=1&page=20"),
        "walk-in": ("registrar", f"{base}/walk-in/"),
        "walk-in person": ("registrar", f"{base}/walk-in/{attendee_id}"),
        "one badge pdf": ("registrar", f"{base}/badges/people/attendee-{attendee_id}/badge.pdf"),
        "registration": ("registrar", f"{base}/registrations/attendees/{attendee_id}"),
        "order payments": ("registrar", f"/staff/orders/{order_id}/payments"),
        "staff payments": ("registrar", f"/staff/events/{event_id}/payments"),
        "cme learners": ("cme", f"{base}/cme/learners"),
        "cme overview": ("cme", f"{base}/cme"),
        "cme certificates": ("cme", f"{base}/cme/certificates?q=grown"),
        "registrations.csv": ("registrar", f"{base}/exports/registrations/csv"),
        "registrations.xlsx": ("registrar", f"{base}/exports/registrations/xlsx"),
        "catering.xlsx": ("registrar", f"{base}/exports/catering/xlsx"),
        "signage.csv": ("registrar", f"{base}/exports/signage/csv"),
        "payments.csv": ("registrar", f"{base}/exports/payments/csv"),
        "checkins.csv": ("registrar", f"{base}/exports/checkins/csv"),
        "cme claims.csv": ("cme", f"{base}/cme/claims.csv"),
    }


def _env(db_url: str) -> dict[str, str]:
    return {**os.environ, "CONFOPS_DATABASE_URL": db_url, "CONFOPS_SECRET_KEY": SECRET, "CONFOPS_ENV": "development",
            "PYTHONPATH": str(ROOT)}


async def _grow_to(db_url: str, registrations: int) -> tuple[int, int, tuple[int, int]]:
    from confops.cme.tallies import recount_pending
    from confops.db import connection_pool, make_engine, use_engine
    from confops.events.tables import Event
    from confops.jobs import fold_tallies
    from confops.registration.tables import Attendee, OrderStatus
    from tests.support.databases import pg_execute
    from tests.support.grow import grow

    engine = make_engine(db_url)
    use_engine(engine)
    async with connection_pool(engine):
        event_id = (await Event.select(Event.id).where(Event.slug == SLUG).first())["id"]
        have = await Attendee.count().where(Attendee.event == event_id)
        if registrations > have:
            await grow(SLUG, (registrations - have) // 2)  # 2 attendees an order on average
        have = await Attendee.count().where(Attendee.event == event_id)
        # The worker recounts the learners a mark noted every 5 seconds (cme/tallies.py
        # recount_pending), then the tallies move, and folds them every minute (jobs.fold_tallies);
        # a page only sums their rows and recounts the learners still noted: a bulk insert a second
        # ago left one row per written row, which no database in use keeps for longer than that.
        while await recount_pending():
            pass
        await fold_tallies(0)
        one = await Attendee.select(Attendee.id, Attendee.order).where(
            (Attendee.event == event_id) & (Attendee.order.status == OrderStatus.confirmed.value)).order_by(
            Attendee.id).first()
    # A database in use has its statistics and visibility map up to date (autovacuum); rows
    # bulk-inserted a second ago do not, and the planner then guesses 7 rows for 20,000.
    await pg_execute(db_url, "VACUUM ANALYZE")
    return event_id, have, (one["id"], one["order"])


def _rss_kb(server_pid: int) -> int:
    """Resident memory of the server and its workers (Linux /proc)."""
    total = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            ppid = int(stat[stat.rindex(")") + 2:].split()[1])
            if int(entry.name) == server_pid or ppid == server_pid:
                for line in (entry / "status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except (OSError, ValueError):
            continue
    return total


async def _measure(port: int, server_pid: int, event_id: int, one: tuple[int, int], requests: int) -> dict[str, dict]:
    import httpx

    from tests.support.http import post_form

    clients = {}
    for who in ("registrar", "cme"):
        client = httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=300)
        r = await post_form(client, "/staff/login", {"email": f"{who}@example.org", "password": "confops-demo"},
                            page="/staff/login")
        assert r.status_code == 303, r.text[:300]
        clients[who] = client
    out = {}
    try:
        for name, (who, path) in pages(event_id, *one).items():
            client = clients[who]
            export = name in EXPORTS
            n = 3 if export else requests
            rss_before = _rss_kb(server_pid)
            peak = rss_before
            r = await client.get(path)  # untimed: what a process keeps warm
            times = []
            for _ in range(n):
                t = time.perf_counter()
                r = await client.get(path)
                times.append((time.perf_counter() - t) * 1000)
                peak = max(peak, _rss_kb(server_pid))
                if r.status_code != 200:
                    raise SystemExit(f"{name}: {r.status_code} {r.text[:300]}")
            times.sort()
            out[name] = {"p50": times[len(times) // 2], "p95": times[min(len(times) - 1, int(len(times) * 0.95))],
                         "bytes": len(r.content), "grew_mb": (peak - rss_before) / 1024, "export": export}
            print(f"  {name:24s} p50 {out[name]['p50']:8.1f} ms  p95 {out[name]['p95']:8.1f} ms  "
                  f"{out[name]['bytes'] / 1024:9.1f} KB" + (f"  rss +{out[name]['grew_mb']:.0f} MB" if export else ""),
                  flush=True)
    finally:
        for client in clients.values():
            await client.aclose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="2000,20000")
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--pg", default=DEFAULT_PG)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results: dict[int, dict[str, dict]] = {}
    with scratch_database(args.pg, "pages") as db_url:
        for step in (["migrate"], ["demo"]):
            subprocess.run([sys.executable, "-m", "confops.cli", *step], cwd=ROOT, env=_env(db_url), check=True,
                           capture_output=True)
        for size in sizes:
            t = time.perf_counter()
            event_id, have, one = asyncio.run(_grow_to(db_url, size))
            print(f"registrations={have} (grown in {time.perf_counter() - t:.0f} s)", flush=True)
            with serving(db_url, workers=2, env={"CONFOPS_IN_APP_WORKER": "0"}) as server:
                results[size] = asyncio.run(_measure(server.port, server.pid, event_id, one, args.requests))
    small, large = results[sizes[0]], results[sizes[-1]]
    print(f"\n{'page':24s} {'p95 ' + str(sizes[0]):>12s} {'p95 ' + str(sizes[-1]):>12s} {'ratio':>6s} "
          f"{'KB ' + str(sizes[-1]):>10s}")
    for name in large:
        ratio = large[name]["p95"] / max(small[name]["p95"], 0.001)
        print(f"{name:24s} {small[name]['p95']:10.1f}ms {large[name]['p95']:10.1f}ms {ratio:6.2f} "
              f"{large[name]['bytes'] / 1024:10.1f}")
    pages_only = {k: v for k, v in large.items() if not v["export"]}
    worst = max(pages_only, key=lambda k: pages_only[k]["p95"])
    worst_ratio = max(pages_only, key=lambda k: pages_only[k]["p95"] / max(small[k]["p95"], 0.001))
    exports = {k: v for k, v in large.items() if v["export"]}
    slowest = max(exports, key=lambda k: exports[k]["p95"])
    print(f"worst_page={worst.replace(' ', '_')} worst_p95_ms={pages_only[worst]['p95']:.0f} "
          f"worst_ratio_page={worst_ratio.replace(' ', '_')} "
          f"worst_ratio={pages_only[worst_ratio]['p95'] / max(small[worst_ratio]['p95'], 0.001):.2f} "
          f"worst_export={slowest.replace(' ', '_')} worst_export_s={exports[slowest]['p95'] / 1000:.2f} "
          f"export_rss_growth_mb={max(v['grew_mb'] for v in exports.values()):.0f}")


if __name__ == "__main__":
    main()

"""Check-in scan throughput: 10,000 distinct badge scans at concurrency 32 against 2 workers.

Starts `confops serve --workers 2` on a fresh PostgreSQL database with 10,000 confirmed
attendees, an entry list and one paired device, then (from a separate process, over 32
keep-alive connections with bench/loadgen.py, so the client costs little CPU) measures
the same server's `/health` rate as the ceiling, and then the scans. Every answer is checked:
result "ok" and the right name, else it counts as a wrong result; afterwards the database must
hold exactly one check-in per scan.

    .venv/bin/python bench/checkin_scan.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
        [--scans 10000] [--warmup 500] [--concurrency 32] [--server granian|uvicorn] [--timeline FILE]

The line before it also gives the CPU a timed scan cost the server's processes and the
database's backends (`server_cpu_ms_per_scan`, `db_cpu_ms_per_scan`, from /proc): the machines
here drift by 40% within an hour, and these figures move less with it than the throughput.
Above them: how the 32 connections fell to the two workers (chance, at accept) and each
worker's p99, to tell a tail of one busier worker from one they share.

Last line: scans_per_s=… p50_ms=… p99_ms=… wrong_results=0
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.harness import DEFAULT_PG, SECRET  # noqa: E402


async def prepare(db_url: str, people: int, warmup: int, cme: bool = False) -> dict:
    """The event, its people (orders of 50), one entry list, one device; returns what to scan:
    the first `warmup` people are scanned before the clock starts."""
    people += warmup
    from confops.accounts.tables import Organizer
    from confops.checkin import devices, service
    from confops.checkin.tables import CheckinList
    from confops.core import clock
    from confops.db import connection_pool, make_engine, migrate
    from confops.events.tables import Event
    from confops.registration.tables import Attendee, Category, Order

    engine = make_engine(db_url)
    await migrate(engine)
    async with connection_pool(engine):
        org = Organizer(slug="bench", name="Bench Society", short_name="B")
        await org.save()
        start = clock.now()
        event = Event(organizer=org.id, slug="door", title="Door", kind="national_meeting", status="published",
                      starts_at=start, ends_at=start + timedelta(days=1), cme_enabled=cme)
        await event.save()
        category = Category(event=event.id, code="member", label="Member")
        await category.save()
        lst = CheckinList(event=event.id, name="Entry", kind="entry")
        await lst.save()
        _, device_token = await devices.create_device(event.id, "Bench door", [], None)
        key = await service.event_key(event.id, SECRET)
        expected = []
        for base in range(0, people, 50):
            order = await Order.insert(Order(event=event.id, buyer_name="B", buyer_email="b@example.org",
                                             status="confirmed", idempotency_key=secrets.token_hex(8),
                                             pricing_snapshot="{}", token_hash="")).returning(Order.id)
            rows = await Attendee.insert(*[Attendee(
                order=order[0]["id"], event=event.id, category=category.id, first_name=f"P{i}", last_name=f"L{i}",
                email=f"p{i}@example.org", checkin_code=secrets.token_hex(8),
            ) for i in range(base, min(people, base + 50))]).returning(Attendee.id, Attendee.first_name,
                                                                        Attendee.last_name)
            expected += [(service.issue_token(key, r["id"], 1), f"{r['first_name']} {r['last_name']}") for r in rows]
    return {"device": device_token, "list_id": lst.id, "scans": expected[warmup:], "warmup": expected[:warmup]}


async def count_stored(db_url: str) -> tuple[int, int]:
    """Check-ins, and CME entry marks (attendance evidence), in the database."""
    from bench.harness import pg_fetchval

    return (await pg_fetchval(db_url, "SELECT count(*) FROM checkin_scan"),
            await pg_fetchval(db_url, "SELECT count(*) FROM attendance_mark WHERE kind = 'entry'"))


async def fire(port: int, plan: dict, concurrency: int, server_pid: int, database: str) -> dict:
    from bench.harness import cpu_seconds, workers_of
    from bench.loadgen import Connection, request_bytes, run_jobs

    host = "127.0.0.1"
    health_n = 3000
    health_raw = request_bytes(host, port, "GET", "/health")

    async def health(conn: Connection, _job) -> str:
        return str((await conn.send(health_raw))[0])

    conns = [Connection(host, port) for _ in range(concurrency)]  # kept open from the warm-up to the end
    await run_jobs(host, port, range(200), health, connections=conns)  # warm up every connection and worker
    health_run = await run_jobs(host, port, range(health_n), health, connections=conns)
    assert health_run.statuses == {"200": health_n}, health_run.statuses

    headers = {"Authorization": f"Bearer {plan['device']}", "Content-Type": "application/json"}
    wrong = []
    took: dict[Connection, list[float]] = {}

    async def scan(conn: Connection, job) -> str:
        token, name = job
        body = json.dumps({"list_id": plan["list_id"], "nonce": uuid.uuid4().hex, "token": token}).encode()
        t0 = time.perf_counter()
        status, raw = await conn.send(request_bytes(host, port, "POST", "/api/v1/checkin/scan", body, headers))
        took.setdefault(conn, []).append((time.perf_counter() - t0) * 1000)
        answer = json.loads(raw) if status == 200 else {}
        if answer.get("result") != "ok" or answer.get("name") != name:
            wrong.append((status, raw[:200].decode(errors="replace")))
        return str(status)

    # The door has been open a while: the first scans open each worker's database connections
    # and fill its caches (device, list, event key). Timed apart and reported, not hidden.
    warm = await run_jobs(host, port, [tuple(s) for s in plan["warmup"]], scan, connections=conns)
    took.clear()
    cpu_before = cpu_seconds(server_pid, database)
    scans = await run_jobs(host, port, [tuple(s) for s in plan["scans"]], scan, connections=conns)
    cpu = [after - before for after, before in zip(cpu_seconds(server_pid, database), cpu_before, strict=True)]
    summary = scans.summary()
    # Which worker served each connection, and each worker's share and tail.
    served = workers_of(server_pid, port)
    per_worker: dict[int, list] = {}
    for conn, ms in took.items():
        port_here = conn.writer.get_extra_info("sockname")[1] if conn.writer else 0  # 0: closed by now
        mine = per_worker.setdefault(served.get(port_here, 0), [0, []])
        mine[0] += 1
        mine[1] += ms
    split = [(n, round(scans.percentile(ms, 0.99), 1)) for n, ms in sorted(per_worker.values(), key=lambda w: w[0])]
    return {"health_rps": health_n / health_run.elapsed_s, "scans": len(plan["scans"]), "scan_s": scans.elapsed_s,
            "p50": summary["p50"], "p99": summary["p99"], "wrong": len(wrong), "wrong_sample": wrong[:3],
            "timeline": summary["timeline"], "warmup": len(plan["warmup"]), "server_cpu_s": cpu[0], "db_cpu_s": cpu[1],
            "warmup_p99": warm.summary()["p99"] if plan["warmup"] else 0.0, "split": split}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--scans", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--warmup", type=int, default=500, help="scans of other people before the timed ones")
    parser.add_argument("--server", choices=["granian", "uvicorn"], default="granian")
    parser.add_argument("--cme", action="store_true",
                        help="an event that awards CME: each scan also records attendance evidence")
    parser.add_argument("--timeline", default="", help="write each scan's start, latency and status here")
    parser.add_argument("--fire", default="", help=argparse.SUPPRESS)  # the separate client process
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--server-pid", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--database", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fire:
        from bench.harness import hand_back
        from bench.loadgen import run

        hand_back(run(fire(args.port, json.loads(Path(args.fire).read_text()), args.concurrency, args.server_pid,
                           args.database)))
        return

    from bench.harness import fire_from_child, scratch_database, serving

    with scratch_database(args.pg, "door") as db_url:
        t0 = time.perf_counter()
        plan = asyncio.run(prepare(db_url, args.scans, args.warmup, args.cme))
        plan_path = Path(tempfile.mkdtemp(prefix="confops-bench-")) / "plan.json"
        plan_path.write_text(json.dumps(plan))
        print(f"prepared {args.scans + args.warmup} attendees in {time.perf_counter() - t0:.1f}s")
        with serving(db_url, server=args.server, env={"CONFOPS_IN_APP_WORKER": "0"}) as server:
            result = fire_from_child(__file__, ["--fire", str(plan_path), "--port", str(server.port),
                                                "--concurrency", str(args.concurrency), "--server-pid",
                                                str(server.pid), "--database", urlparse(db_url).path.lstrip("/")])
        if args.timeline:
            from bench.loadgen import write_timeline

            write_timeline(args.timeline, result["timeline"])
        stored, marks = asyncio.run(count_stored(db_url))
    rate = result["scans"] / result["scan_s"]
    wrong = result["wrong"] + abs(stored - result["scans"] - result["warmup"])
    wrong += abs(marks - (stored if args.cme else 0))  # one entry mark per check-in at a CME event
    print(f"server={args.server} workers=2 concurrency={args.concurrency} load_avg={os.getloadavg()[0]:.2f} "
          f"server_cpu_ms_per_scan={result['server_cpu_s'] * 1000 / result['scans']:.3f} "
          f"db_cpu_ms_per_scan={result['db_cpu_s'] * 1000 / result['scans']:.3f}")
    print("connections per worker (p99 ms of each worker's): "
          + " / ".join(f"{n} ({p99})" for n, p99 in result["split"]))
    print(f"health_rps={result['health_rps']:.0f} (ceiling) scan/health ratio={rate / result['health_rps']:.2f} "
          f"check_ins_stored={stored}" + (f" cme_marks_stored={marks}" if args.cme else "")
          + f" warmup_scans={result['warmup']} warmup_p99_ms={result['warmup_p99']:.1f}"
          + (f" wrong_sample={result['wrong_sample']}" if result["wrong"] else ""))
    print(f"scans_per_s={rate:.0f} p50_ms={result['p50']:.1f} p99_ms={result['p99']:.1f} wrong_results={wrong}")

if __name__ == "__main__":
    main()

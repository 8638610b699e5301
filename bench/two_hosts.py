"""The door and the rush spread over two app instances (2 workers each), against one instance
with 4 workers, on one PostgreSQL and one Redis: does spreading lose anything?

Each layout gets a fresh database with a door (attendees, an entry list, a device) and a rush
event (free places), its servers (`confops serve --server granian`, in-app worker off, Redis
for live counts), and the same load from a separate process: the scans over `--concurrency`
keep-alive connections, then the order attempts over `--rush-concurrency`, the connections
dealt alternately to the instances (as a load balancer would). It prints, per layout, the
totals and the CPU an operation cost the servers and the database (from /proc), then the
ratios (two instances / one); the goal is no loss from spreading (ratio ≥ 0.9). `--rounds N`
alternates the layouts N times (the machine's speed drifts).

    .venv/bin/python bench/two_hosts.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
        [--scans 6000] [--concurrency 32] [--attempts 2000] [--places 500] [--rush-concurrency 200]
        [--rounds 1] [--redis redis://127.0.0.1:6379/0]

Last line: door_ratio=… rush_ratio=… (scans/s and orders/s of two instances over one)
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from bench.harness import DEFAULT_PG  # noqa: E402

LAYOUTS = {"one": [4], "two": [2, 2]}  # workers per instance


async def prepare_rush(db_url: str, places: int) -> None:
    from confops.accounts.tables import Organizer
    from confops.core import clock
    from confops.db import connection_pool, make_engine, use_engine
    from confops.events.tables import Event
    from confops.registration.capacity import ensure_sales
    from confops.registration.tables import Category

    engine = make_engine(db_url)
    use_engine(engine)
    async with connection_pool(engine):
        org = Organizer(slug="bench-rush", name="Bench Rush Society", short_name="R")
        await org.save()
        start = clock.now() + timedelta(days=90)
        event = Event(organizer=org.id, slug="rush", title="Rush", kind="national_meeting", status="published",
                      starts_at=start, ends_at=start + timedelta(days=1), capacity=places)
        await event.save()
        await ensure_sales(event.id)
        await Category(event=event.id, code="free", label="Free", early_cents=0, regular_cents=0, late_cents=0).save()


async def fire(ports: list[int], plan: dict, args: dict, pids: list[int], database: str) -> dict:
    from bench.harness import cpu_seconds
    from bench.loadgen import Connection, request_bytes, run_jobs

    host = "127.0.0.1"

    def cpu() -> tuple[float, float]:
        taken = [cpu_seconds(pid, database) for pid in pids]
        return sum(t[0] for t in taken), taken[0][1]  # the database's backends are counted by each: once

    async def send(conn: Connection, raw: bytes) -> str:
        return str((await conn.send(raw))[0])

    # the door
    head = {"Authorization": f"Bearer {plan['device']}", "Content-Type": "application/json"}
    wrong = []

    async def scan(conn: Connection, job) -> str:
        token, name = job
        body = json.dumps({"list_id": plan["list_id"], "nonce": uuid.uuid4().hex, "token": token}).encode()
        status, raw = await conn.send(request_bytes(host, conn.port, "POST", "/api/v1/checkin/scan", body, head))
        answer = json.loads(raw) if status == 200 else {}
        if answer.get("result") != "ok" or answer.get("name") != name:
            wrong.append(status)
        return str(status)

    conns = [Connection(host, ports[i % len(ports)]) for i in range(args["concurrency"])]
    await run_jobs(host, ports[0], [tuple(s) for s in plan["warmup"]], scan, connections=conns)
    before = cpu()
    door = await run_jobs(host, ports[0], [tuple(s) for s in plan["scans"]], scan, connections=conns)
    door_cpu = [a - b for a, b in zip(cpu(), before, strict=True)]
    for conn in conns:
        conn.close()

    # the rush
    conns = [Connection(host, ports[i % len(ports)]) for i in range(args["rush_concurrency"])]
    await run_jobs(host, ports[0], [None] * len(conns), lambda c, _: send(c, request_bytes(
        host, c.port, "GET", "/api/v1/events/rush")), connections=conns)
    orders = [json.dumps({"buyer_name": f"Person {i}", "buyer_email": f"p{i}@example.org",
                          "idempotency_key": f"rush-order-{i:08d}",
                          "attendees": [{"category": "free", "email": f"p{i}@example.org", "first_name": "P",
                                         "last_name": str(i)}]}).encode() for i in range(args["attempts"])]
    placed: list[float] = []
    t0 = time.perf_counter()

    async def order(conn: Connection, body: bytes) -> str:
        status, _ = await conn.send(request_bytes(host, conn.port, "POST", "/api/v1/events/rush/orders", body,
                                                  {"Content-Type": "application/json"}))
        if status == 201:
            placed.append(time.perf_counter() - t0)
        return str(status)

    before = cpu()
    rush = await run_jobs(host, ports[0], orders, order, connections=conns)
    rush_cpu = [a - b for a, b in zip(cpu(), before, strict=True)]
    for conn in conns:
        conn.close()
    return {"scans": len(plan["scans"]), "scan_s": door.elapsed_s, "door_p99": door.summary()["p99"],
            "wrong": len(wrong), "door_server_cpu": door_cpu[0], "door_db_cpu": door_cpu[1],
            "attempts": len(orders), "rush_s": rush.elapsed_s, "rush_p99": rush.summary()["p99"],
            "placed": len(placed), "last_placed_s": max(placed, default=0.0), "statuses": rush.statuses,
            "rush_server_cpu": rush_cpu[0], "rush_db_cpu": rush_cpu[1]}


def run_layout(name: str, args) -> dict:
    from bench.checkin_scan import prepare as prepare_door
    from bench.harness import fire_from_child, pg_fetchval, scratch_database, serving

    with scratch_database(args.pg, "hosts") as db_url:
        plan = asyncio.run(prepare_door(db_url, args.scans, args.warmup))
        asyncio.run(prepare_rush(db_url, args.places))
        plan_path = Path(tempfile.mkdtemp(prefix="confops-bench-")) / "plan.json"
        plan_path.write_text(json.dumps(plan))
        env = {"CONFOPS_IN_APP_WORKER": "0", "CONFOPS_REDIS_URL": args.redis,
               "CONFOPS_INSTANCES": str(len(LAYOUTS[name]))}
        with contextlib.ExitStack() as stack:
            served = [stack.enter_context(serving(db_url, server="granian", workers=w, env=env)) for w in LAYOUTS[name]]
            result = fire_from_child(__file__, [
                "--fire", str(plan_path), "--ports", ",".join(str(s.port) for s in served),
                "--pids", ",".join(str(s.pid) for s in served), "--database", urlparse(db_url).path.lstrip("/"),
                "--concurrency", str(args.concurrency), "--rush-concurrency", str(args.rush_concurrency),
                "--attempts", str(args.attempts)])
        sold = asyncio.run(pg_fetchval(db_url, "SELECT sold FROM event_sales JOIN event ON event.id = event_sales.event "
                                               "WHERE event.slug = 'rush'"))
        stored = asyncio.run(pg_fetchval(db_url, "SELECT count(*) FROM checkin_scan"))
    result["oversold"] = max(0, sold - args.places)
    result["wrong"] += abs(stored - result["scans"] - args.warmup)
    return result


def report(name: str, r: dict) -> tuple[float, float]:
    scans_s = r["scans"] / r["scan_s"]
    orders_s = r["placed"] / r["last_placed_s"] if r["last_placed_s"] else 0.0
    print(f"{name}: instances={len(LAYOUTS[name])} workers={'+'.join(map(str, LAYOUTS[name]))} "
          f"load_avg={os.getloadavg()[0]:.2f}")
    print(f"  door: scans_per_s={scans_s:.0f} p99_ms={r['door_p99']:.1f} wrong={r['wrong']} "
          f"server_cpu_ms_per_scan={r['door_server_cpu'] * 1000 / r['scans']:.3f} "
          f"db_cpu_ms_per_scan={r['door_db_cpu'] * 1000 / r['scans']:.3f}")
    print(f"  rush: orders_per_s={orders_s:.0f} (while places were left) attempts_per_s={r['attempts'] / r['rush_s']:.0f} "
          f"p99_ms={r['rush_p99']:.1f} placed={r['placed']} oversold={r['oversold']} "
          f"server_cpu_ms_per_attempt={r['rush_server_cpu'] * 1000 / r['attempts']:.3f} "
          f"db_cpu_ms_per_order={r['rush_db_cpu'] * 1000 / max(r['placed'], 1):.3f} statuses={r['statuses']}")
    return scans_s, orders_s


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--scans", type=int, default=6000)
    parser.add_argument("--warmup", type=int, default=400)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--attempts", type=int, default=2000)
    parser.add_argument("--places", type=int, default=500)
    parser.add_argument("--rush-concurrency", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--fire", default="", help=argparse.SUPPRESS)  # the separate client process
    parser.add_argument("--ports", default="", help=argparse.SUPPRESS)
    parser.add_argument("--pids", default="", help=argparse.SUPPRESS)
    parser.add_argument("--database", default="", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fire:
        from bench.harness import hand_back
        from bench.loadgen import run

        hand_back(run(fire([int(p) for p in args.ports.split(",")], json.loads(Path(args.fire).read_text()),
                           vars(args), [int(p) for p in args.pids.split(",")], args.database)))
        return
    totals: dict[str, list[tuple[float, float]]] = {"one": [], "two": []}
    for _ in range(args.rounds):
        for name in ("one", "two"):
            totals[name].append(report(name, run_layout(name, args)))
    one_door = sum(t[0] for t in totals["one"]) / args.rounds
    one_rush = sum(t[1] for t in totals["one"]) / args.rounds
    two_door = sum(t[0] for t in totals["two"]) / args.rounds
    two_rush = sum(t[1] for t in totals["two"]) / args.rounds
    print(f"door_ratio={two_door / one_door:.2f} rush_ratio={two_rush / one_rush if one_rush else 0:.2f} "
          f"(two instances of 2 workers over one of 4; goal >= 0.9)")


if __name__ == "__main__":
    main()

"""Check-in scan throughput: 10,000 distinct badge scans at concurrency 32 against 2 workers.

Starts `confops serve --workers 2` on a fresh PostgreSQL database with 10,000 confirmed
attendees, an entry list and one paired device, then (from a separate process, over 32
keep-alive connections with a minimal HTTP/1.1 client so the client costs little CPU) measures
the same server's `/health` rate as the ceiling, and then the scans. Every answer is checked:
result "ok" and the right name, else it counts as a wrong result; afterwards the database must
hold exactly one check-in per scan.

    .venv/bin/python bench/checkin_scan.py [--pg postgresql://postgres@127.0.0.1:5432/postgres]
        [--scans 10000] [--concurrency 32] [--server granian|uvicorn]

Last line: scans_per_s=… p50_ms=… p99_ms=… wrong_results=0
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SECRET = "bench-secret-key-that-is-long-enough-012345"


async def _admin(url: str, sql: str) -> None:
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


async def prepare(db_url: str, people: int) -> dict:
    """The event, its people (orders of 50), one entry list, one device; returns what to scan."""
    from confops.checkin import devices, service
    from confops.checkin.tables import CheckinList
    from confops.core import clock
    from confops.db import connection_pool, make_engine, migrate
    from confops.events.tables import Event, Organizer
    from confops.registration.tables import Attendee, Category, Order

    engine = make_engine(db_url)
    await migrate(engine)
    async with connection_pool(engine):
        org = Organizer(slug="bench", name="Bench Society", short_name="B")
        await org.save()
        start = clock.now()
        event = Event(organizer=org.id, slug="door", title="Door", kind="national_meeting", status="published",
                      starts_at=start, ends_at=start + timedelta(days=1))
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
    return {"device": device_token, "list_id": lst.id, "scans": expected}


async def count_scans(db_url: str) -> int:
    import asyncpg

    conn = await asyncpg.connect(db_url)
    try:
        return await conn.fetchval("SELECT count(*) FROM checkin_scan")
    finally:
        await conn.close()


class Connection:
    """One keep-alive HTTP/1.1 connection: send a request, read one Content-Length response."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, method: str, path: str, body: bytes = b"", headers: str = "") -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        head = (f"{method} {path} HTTP/1.1\r\nHost: {self.host}\r\n{headers}"
                f"Content-Length: {len(body)}\r\n\r\n").encode()
        self.writer.write(head + body)
        status_line = await self.reader.readline()
        length = 0
        while True:
            line = await self.reader.readline()
            if line in (b"\r\n", b""):
                break
            name, _, value = line.decode().partition(":")
            if name.lower() == "content-length":
                length = int(value)
        return int(status_line.split()[1]), await self.reader.readexactly(length)


async def _run(conns: list[Connection], jobs: list, one) -> tuple[float, list[float]]:
    queue: asyncio.Queue = asyncio.Queue()
    for job in jobs:
        queue.put_nowait(job)
    latencies: list[float] = []

    async def worker(conn: Connection) -> None:
        while not queue.empty():
            job = queue.get_nowait()
            t0 = time.perf_counter()
            await one(conn, job)
            latencies.append((time.perf_counter() - t0) * 1000)

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in conns))
    return time.perf_counter() - t0, sorted(latencies)


async def fire(port: int, plan: dict, concurrency: int) -> dict:
    conns = [Connection("127.0.0.1", port) for _ in range(concurrency)]
    health_n = 3000

    async def health(conn: Connection, _job) -> None:
        status, _ = await conn.request("GET", "/health")
        assert status == 200

    await _run(conns, range(200), health)  # warm up every connection and worker
    health_s, _ = await _run(conns, range(health_n), health)

    headers = f"Authorization: Bearer {plan['device']}\r\nContent-Type: application/json\r\n"
    wrong = []

    async def scan(conn: Connection, job) -> None:
        token, name = job
        body = json.dumps({"list_id": plan["list_id"], "nonce": uuid.uuid4().hex, "token": token}).encode()
        status, raw = await conn.request("POST", "/api/v1/checkin/scan", body, headers)
        answer = json.loads(raw) if status == 200 else {}
        if answer.get("result") != "ok" or answer.get("name") != name:
            wrong.append((status, raw[:200].decode(errors="replace")))

    scan_s, latencies = await _run(conns, [tuple(s) for s in plan["scans"]], scan)
    return {"health_rps": health_n / health_s, "scans": len(plan["scans"]), "scan_s": scan_s,
            "p50": statistics.median(latencies), "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "wrong": len(wrong), "wrong_sample": wrong[:3]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=os.environ.get("CONFOPS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--scans", type=int, default=10000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--server", choices=["granian", "uvicorn"], default="granian")
    parser.add_argument("--fire", default="", help=argparse.SUPPRESS)  # the separate client process
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.fire:
        print(json.dumps(asyncio.run(fire(args.port, json.loads(Path(args.fire).read_text()), args.concurrency))))
        return

    name = f"confops_bench_{uuid.uuid4().hex[:8]}"
    db_url = urlunparse(urlparse(args.pg)._replace(path=f"/{name}"))
    asyncio.run(_admin(args.pg, f'CREATE DATABASE "{name}"'))
    server = None
    var = tempfile.mkdtemp(prefix="confops-bench-")
    try:
        t0 = time.perf_counter()
        plan = asyncio.run(prepare(db_url, args.scans))
        plan_path = Path(var) / "plan.json"
        plan_path.write_text(json.dumps(plan))
        print(f"prepared {args.scans} attendees in {time.perf_counter() - t0:.1f}s")
        from tests.support.smtp import free_port

        port = free_port()
        env = {**os.environ, "CONFOPS_DATABASE_URL": db_url, "CONFOPS_VAR_DIR": var, "CONFOPS_ENV": "development",
               "CONFOPS_SECRET_KEY": SECRET, "CONFOPS_BASE_URL": f"http://127.0.0.1:{port}",
               "CONFOPS_IN_APP_WORKER": "0"}
        log = open(Path(var) / "server.log", "wb")  # noqa: SIM115 - closed with the process
        server = subprocess.Popen([sys.executable, "-m", "confops.cli", "serve", "--workers", "2", "--port", str(port),
                                   "--server", args.server], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        import httpx

        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("server did not start; see " + str(Path(var) / "server.log"))
            time.sleep(0.2)
        out = subprocess.run([sys.executable, __file__, "--fire", str(plan_path), "--port", str(port),
                              "--concurrency", str(args.concurrency)], capture_output=True, text=True, timeout=1200)
        if out.returncode:
            raise SystemExit(out.stderr[-3000:])
        result = json.loads(out.stdout.strip().splitlines()[-1])
        stored = asyncio.run(count_scans(db_url))
        rate = result["scans"] / result["scan_s"]
        wrong = result["wrong"] + abs(stored - result["scans"])
        print(f"server={args.server} workers=2 concurrency={args.concurrency} load_avg={os.getloadavg()[0]:.2f}")
        print(f"health_rps={result['health_rps']:.0f} (ceiling) scan/health ratio={rate / result['health_rps']:.2f} "
              f"check_ins_stored={stored}" + (f" wrong_sample={result['wrong_sample']}" if result["wrong"] else ""))
        print(f"scans_per_s={rate:.0f} p50_ms={result['p50']:.1f} p99_ms={result['p99']:.1f} wrong_results={wrong}")
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
        asyncio.run(_admin(args.pg, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


if __name__ == "__main__":
    main()

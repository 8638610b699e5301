"""A small HTTP/1.1 load generator for the benchmarks: keep-alive connections, one request in
flight per connection, and next to no CPU of its own.

Why not httpx: on these 2 cores the load generator shares the CPU with the server and the
database. Measured with bench/registration_rush.py (2,000 POSTs, 200 connections): the httpx
client process used 17.8 s of CPU, more than both server workers together (14.2 s), so the
figures measured the client. This one parses only the status line and Content-Length.

    results = run(post_json("127.0.0.1", port, "/path", bodies, connections=200))  # run: uvloop if installed
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TypeVar

T = TypeVar("T")


@dataclass
class Results:
    statuses: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list)
    by_status: dict[str, list[float]] = field(default_factory=dict)
    elapsed_s: float = 0.0
    timeline: list = field(default_factory=list)

    def record(self, status: str, ms: float) -> None:
        self.statuses[status] = self.statuses.get(status, 0) + 1
        self.latencies_ms.append(ms)
        self.by_status.setdefault(status, []).append(ms)

    @staticmethod
    def percentile(values: list[float], p: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, int(len(ordered) * p))] if ordered else 0.0

    def timeline_rows(self) -> list[tuple[int, int, str]]:
        """(start ms from the first request, latency ms, status) per request, in start order."""
        if not self.timeline:
            return []
        first = min(t[0] for t in self.timeline)
        return sorted((round((a - first) * 1000), round((b - a) * 1000), st) for a, b, st in self.timeline)

    def summary(self) -> dict:
        return {"statuses": self.statuses, "elapsed": self.elapsed_s,
                "p50": statistics.median(self.latencies_ms) if self.latencies_ms else 0.0,
                "p99": self.percentile(self.latencies_ms, 0.99),
                "p99_by_status": {s: round(self.percentile(v, 0.99)) for s, v in sorted(self.by_status.items())},
                "timeline": self.timeline_rows()}


def write_timeline(path: str, rows: list) -> None:
    """For --timeline: one request per line, `start_ms latency_ms status`, to see where a tail comes from."""
    with open(path, "w") as out:
        out.writelines(f"{a} {b} {st}\n" for a, b, st in rows)


class Connection:
    """One keep-alive HTTP/1.1 connection, opened on first use and again after a drop."""

    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, raw: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection(self.host, self.port)
        self.writer.write(raw)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split(b" ", 2)[1])
        length, close = 0, False
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            name = name.strip().lower()
            if name == b"content-length":
                length = int(value)
            elif name == b"connection" and value.strip().lower() == b"close":
                close = True
        body = await self.reader.readexactly(length) if length else b""
        if close:
            self.close()
        return status, body

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def request_bytes(host: str, port: int, method: str, path: str, body: bytes = b"",
                  headers: dict[str, str] | None = None) -> bytes:
    extra = "".join(f"{k}: {v}\r\n" for k, v in (headers or {}).items())
    return (f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{extra}"
            f"Content-Length: {len(body)}\r\n\r\n").encode() + body


async def run_jobs(host: str, port: int, jobs: Iterable[T], one: Callable[[Connection, T], Awaitable[str]], *,
                   connections: int | list[Connection], retries: int = 3) -> Results:
    """Each of `connections` keep-alive connections takes the next job and awaits `one(conn, job)`,
    which sends it and returns the status to count; a dropped connection is retried (jobs must
    be safe to repeat: orders carry idempotency keys, scans nonces). Latency is per job.
    Pass a list of Connection to keep them open for the next run (a warm-up, then the timed run)."""
    pending = iter(list(jobs))
    results = Results()
    keep = isinstance(connections, list)
    conns = connections if keep else [Connection(host, port) for _ in range(connections)]

    async def worker(conn: Connection) -> None:
        try:
            for job in pending:
                t0 = time.perf_counter()
                status = "error"
                for _ in range(retries):
                    try:
                        status = await one(conn, job)
                        break
                    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                        conn.close()
                t1 = time.perf_counter()
                results.record(status, (t1 - t0) * 1000)
                results.timeline.append((t0, t1, status))
        finally:
            if not keep:
                conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker(c) for c in conns))
    results.elapsed_s = time.perf_counter() - t0
    return results


async def post_json(host: str, port: int, path: str, bodies: Iterable[dict], *, connections: int,
                    headers: dict[str, str] | None = None) -> Results:
    """POST every body as JSON and count the statuses."""
    head = {"Content-Type": "application/json", **(headers or {})}
    raws = [request_bytes(host, port, "POST", path, json.dumps(b).encode(), head) for b in bodies]

    async def one(conn: Connection, raw: bytes) -> str:
        return str((await conn.send(raw))[0])

    return await run_jobs(host, port, raws, one, connections=connections)


def run(coro):
    """asyncio.run on uvloop when it is installed (it comes with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)

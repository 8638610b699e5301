"""A small HTTP/1.1 load generator for the benchmarks: keep-alive connections, one request in
flight per connection, and next to no CPU of its own.

Why not httpx: on these 2 cores the load generator shares the CPU with the server and the
database. Measured with bench/registration_rush.py (2,000 POSTs, 200 connections): the httpx
client process used 17.8 s of CPU, more than both server workers together (14.2 s), so the
figures measured the client. This one parses only the status line and Content-Length.

    results = asyncio.run(post_json("127.0.0.1", port, "/path", bodies, connections=200))
"""

from __future__ import annotations

import asyncio
import json
import statistics
import time
from collections.abc import Iterable
from dataclasses import dataclass, field


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

    def summary(self) -> dict:
        return {"statuses": self.statuses, "elapsed": self.elapsed_s,
                "p50": statistics.median(self.latencies_ms) if self.latencies_ms else 0.0,
                "p99": self.percentile(self.latencies_ms, 0.99),
                "p99_by_status": {s: round(self.percentile(v, 0.99)) for s, v in sorted(self.by_status.items())}}


class _Connection:
    def __init__(self, host: str, port: int) -> None:
        self.host, self.port = host, port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def request(self, raw: bytes) -> int:
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
        if length:
            await self.reader.readexactly(length)
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
        self.reader = self.writer = None


def _post(host: str, port: int, path: str, body: dict, headers: dict[str, str]) -> bytes:
    payload = json.dumps(body).encode()
    extra = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
    return (f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: {len(payload)}\r\n{extra}\r\n").encode() + payload


async def post_json(host: str, port: int, path: str, bodies: Iterable[dict], *, connections: int,
                    headers: dict[str, str] | None = None, retries: int = 3) -> Results:
    """POST every body, `connections` at a time; a dropped connection is retried (the bodies
    carry idempotency keys, so a retry is safe). Latency is per request, send to last byte."""
    requests = iter([_post(host, port, path, b, headers or {}) for b in bodies])
    results = Results()

    async def worker() -> None:
        conn = _Connection(host, port)
        try:
            for raw in requests:
                t0 = time.perf_counter()
                status = "error"
                for _ in range(retries):
                    try:
                        status = str(await conn.request(raw))
                        break
                    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                        conn.close()
                results.record(status, (time.perf_counter() - t0) * 1000)
                results.timeline.append((t0, time.perf_counter(), status))
        finally:
            conn.close()

    t0 = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    results.elapsed_s = time.perf_counter() - t0
    return results


def run(coro):
    """asyncio.run on uvloop when it is installed (it comes with uvicorn[standard])."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coro)
    return uvloop.run(coro)

"""CPU and queries per order on the hot path, independent of how busy the machine is.

Runs the app in this process (ASGI transport, no network) on a fresh PostgreSQL database,
places N one-attendee free orders through `POST /api/v1/events/{slug}/orders` one after the
other, and counts CPU time (process_time) and database round trips (asyncpg fetch/execute
calls). With `--profile` it also prints a pyinstrument profile (dev tool: pip install
pyinstrument).

    .venv/bin/python bench/registration_profile.py [--pg postgresql://postgres@127.0.0.1:5432/postgres] [--orders 300]

Last line: cpu_ms_per_order=… queries_per_order=…
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.harness import DEFAULT_PG, scratch_database  # noqa: E402
from bench.registration_rush import prepare  # noqa: E402

logging.getLogger("httpx").setLevel(logging.WARNING)


class QueryCounter:
    """Counts every statement asyncpg sends (pool and transaction connections alike)."""

    def __init__(self) -> None:
        import asyncpg.connection

        self.n = 0
        self._cls = asyncpg.connection.Connection
        self._saved = {}

    def __enter__(self) -> QueryCounter:
        for name in ("fetch", "execute", "fetchrow", "fetchval", "executemany"):
            original = getattr(self._cls, name)
            self._saved[name] = original

            def wrapped(conn, *args, _original=original, **kwargs):
                self.n += 1
                return _original(conn, *args, **kwargs)

            setattr(self._cls, name, wrapped)
        return self

    def __exit__(self, *exc) -> None:
        for name, original in self._saved.items():
            setattr(self._cls, name, original)


async def run(db_url: str, orders: int, profile: bool) -> None:
    import httpx

    from confops.app import create_app
    from settings import Settings
    from tests.support.http import running

    settings = Settings(env="test", database_url=db_url, secret_key="bench-secret-key-that-is-long-enough-012345",
                        base_url="http://bench.local", in_app_worker=False, var_dir=Path("/tmp/confops-profile"))
    app = create_app(settings)

    def body(i: int) -> dict:
        return {"buyer_name": f"Person {i}", "buyer_email": f"p{i}@example.org", "idempotency_key": f"profile-order-{i:06d}",
                "attendees": [{"category": "free", "email": f"p{i}@example.org", "first_name": "P",
                               "last_name": str(i)}]}

    async with running(app) as client:
        client: httpx.AsyncClient
        for i in range(20):  # warm up: caches, prepared statements, first-use imports
            assert (await client.post("/api/v1/events/rush/orders", json=body(i))).status_code == 201
        profiler = None
        if profile:
            from pyinstrument import Profiler

            profiler = Profiler(async_mode="enabled")
            profiler.start()
        with QueryCounter() as counter:
            cpu0, wall0 = time.process_time(), time.perf_counter()
            for i in range(20, 20 + orders):
                response = await client.post("/api/v1/events/rush/orders", json=body(i))
                assert response.status_code == 201, response.text
            cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        if profiler is not None:
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False))
    print(f"orders={orders} wall_ms_per_order={wall / orders * 1000:.1f}")
    print(f"cpu_ms_per_order={cpu / orders * 1000:.2f} queries_per_order={counter.n / orders:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pg", default=DEFAULT_PG)
    parser.add_argument("--orders", type=int, default=300)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    with scratch_database(args.pg, "prof") as db_url:
        asyncio.run(prepare(db_url, args.orders + 100))
        asyncio.run(run(db_url, args.orders, args.profile))

if __name__ == "__main__":
    main()

"""What observing a request costs (web/observe.py: the request id, the JSON log line, the
counts): the same do-nothing ASGI handler called with and without the wrapper, in one process.

    .venv/bin/python bench/observe_overhead.py [--calls 50000] [--rounds 3]

Last line: overhead_us=… (the wrapper's median extra microseconds a request)
"""

from __future__ import annotations

import argparse
import asyncio
import io
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from confops.core.logs import request_log  # noqa: E402
from confops.web.observe import observe  # noqa: E402


class Bare:
    async def asgi_handler(self, scope, receive, send) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b"{}"})


async def main(calls: int, rounds: int) -> None:
    request_log.stream = io.StringIO()
    plain = Bare().asgi_handler
    wrapped = observe(Bare()).asgi_handler

    async def send(message) -> None:
        pass

    async def receive() -> dict:
        return {"type": "http.request", "body": b""}

    def scope() -> dict:
        return {"type": "http", "method": "POST", "path": "/api/v1/checkin/scan", "path_params": {},
                "path_template": "/api/v1/checkin/scan",
                "headers": [(b"authorization", b"Bearer x"), (b"content-type", b"application/json")]}

    extra = []
    for n in range(rounds):
        took = {}
        for name, handler in (("plain", plain), ("observed", wrapped)):
            t0 = time.perf_counter()
            for _ in range(calls):
                await handler(scope(), receive, send)
            took[name] = (time.perf_counter() - t0) / calls * 1e6
            request_log.flush()
        extra.append(took["observed"] - took["plain"])
        print(f"round {n + 1}: plain {took['plain']:.2f} µs, observed {took['observed']:.2f} µs a request")
    print(f"overhead_us={statistics.median(extra):.2f}")


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=50000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(main(args.calls, args.rounds))

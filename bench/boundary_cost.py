#!/usr/bin/env python
"""Run: .venv/bin/python bench/boundary_cost.py

CPU of confops/web/boundary.py alone: check_input + secure_responses around an ASGI app that
answers at once, for a scan-like POST and a page GET."""
import asyncio
import time
from types import SimpleNamespace

from confops.web.boundary import check_input, secure_responses


async def inner(scope, receive, send):
    await receive()
    await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
    await send({"type": "http.response.body", "body": b"{}"})

handler = SimpleNamespace(parsed_fn_signature=SimpleNamespace(parameters={}), opt={})
bare = inner
wrapped = secure_responses(check_input(inner), https=False)
body = b'{"list_id": 3, "nonce": "abc-123", "token": "1' + b"7" * 56 + b'"}'

async def run(app, n, scope):
    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}
    async def send(m):
        pass
    t0 = time.process_time()
    for _ in range(n):
        await app(dict(scope), receive, send)
    return (time.process_time() - t0) / n * 1e6

async def main():
    scan = {"type": "http", "method": "POST", "path": "/api/v1/checkin/scan", "raw_path": b"/api/v1/checkin/scan",
            "query_string": b"", "headers": [(b"content-type", b"application/json"), (b"authorization", b"Bearer x")],
            "path_params": {}, "route_handler": handler}
    page = {**scan, "method": "GET", "path": "/orders/12", "raw_path": b"/orders/12", "query_string": b"token=abcdef",
            "headers": [(b"cookie", b"confops_session=x")], "path_params": {"order_id": 12}}
    for name, scope in (("scan POST", scan), ("page GET", page)):
        for _ in range(3):
            b, w = await run(bare, 50000, scope), await run(wrapped, 50000, scope)
            print(f"{name}: bare {b:.2f} us, with boundary {w:.2f} us -> +{w - b:.2f} us")

asyncio.run(main())

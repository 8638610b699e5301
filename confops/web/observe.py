"""Every request, observed once: a request id, one JSON log line, and the Prometheus counters.

It wraps the app's whole ASGI handler (`observe(app)`), not one route's stack, so it also sees
what never reaches a route (a 404, a 405) and what a route's own lane answers (the door's
scan_lane). It is kept cheap for the door and the rush: a clock read, a header scan, one
count, one latency and one log line a request (core/metrics.py and core/logs.py say why they
are not prometheus_client's objects and the logging module; measured with bench/checkin_scan.py).

The request id is the proxy's `X-Request-ID` when it is sane (so a line in Caddy's or nginx's
log finds its line here), else a new one; it is sent back in `X-Request-ID` and is on every
log line written while the request is served. The line names the route template
(`/orders/{order_id:int}`) and the path with any text parameter but an event's slug masked
(`/calendar/*/agenda.ics`), never the query string: paths and queries carry order tokens and
calendar keys.
"""

from __future__ import annotations

import re
import time

from litestar import Litestar
from litestar.types import Message, Receive, Scope, Send

from confops.core import metrics
from confops.core.logs import request_id, request_ids, request_log

_SANE_ID = re.compile(rb"[A-Za-z0-9._-]{8,64}")
_UNROUTED = "(unrouted)"
_PLAIN_PARAMS = frozenset({"slug", "fmt"})  # other text in a path may be a token: it is masked


def _loggable_path(scope: Scope) -> str:
    path = scope["path"]
    if not scope.get("path_params"):
        return path[:300]
    for name, value in (scope.get("path_params") or {}).items():
        if isinstance(value, str) and name not in _PLAIN_PARAMS and value:
            path = path.replace(value, "*")
    return path[:300]


def _incoming_id(scope: Scope) -> str:
    for name, value in scope["headers"]:
        if name == b"x-request-id":
            return value.decode() if _SANE_ID.fullmatch(value) else ""
    return ""


def observe(app: Litestar) -> Litestar:
    inner = app.asgi_handler

    async def observed(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await inner(scope, receive, send)
        started = time.perf_counter()
        rid = _incoming_id(scope) or request_ids.new()
        token = request_id.set(rid)
        header = (b"x-request-id", rid.encode())
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await inner(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            route = scope.get("path_template") or _UNROUTED
            metrics.request_done(scope["method"], route, status, seconds)
            request_log.write(rid, scope["method"], route, _loggable_path(scope), status, seconds)
            request_id.reset(token)

    app.asgi_handler = observed
    return app

"""The door's scan route without Litestar's per-request machinery.

Why: at a busy door `POST /api/v1/checkin/scan` is nearly every request, and the work Litestar
does around a handler (the Request object, the signature model and its kwargs, the Response
and its conversion to ASGI) cost the server a quarter of the CPU it spent on a scan
(bench/checkin_scan.py; figures in bench/README.md). This lane is the route's
middleware: it takes a well-formed JSON body, runs the route's guards, and answers with the
same function as the handler (`api.answer_scan`), so the two cannot drift apart.

Everything else goes on to the typed handler in api.py exactly as it came: a body that is not
JSON, too large, or fails `ScanBody`'s validation. Litestar then answers it as it answers any
route, with the same field-level errors and limits. That handler also stays the route's
definition in the OpenAPI document. The domain errors the lane raises (an unknown device, a
list outside its scope) reach the app's exception handlers like the handler's do.
"""

from __future__ import annotations

import msgspec
from litestar.connection import ASGIConnection
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from confops.checkin.schemas import ScanBody

# A scan's body is about 200 bytes; a larger one goes to the handler, whose limit applies.
MAX_BODY = 8 * 1024

_decode = msgspec.json.Decoder(ScanBody).decode
_encode = msgspec.json.Encoder().encode
_JSON = b"application/json"


def _is_json(content_type: bytes) -> bool:
    return content_type.partition(b";")[0].strip().lower() == _JSON


def scan_lane(app: ASGIApp) -> ASGIApp:
    """The middleware (Litestar calls it with the rest of the route's stack as `app`)."""
    from confops.web.checkin.api import answer_scan  # api.py attaches this lane to its handler

    async def lane(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        content_type = authorization = b""
        for name, value in scope["headers"]:
            if name == b"content-type":
                content_type = value
            elif name == b"authorization":
                authorization = value
        if not _is_json(content_type):
            return await app(scope, receive, send)
        chunks: list[bytes] = []
        size, more = 0, True
        while more and size <= MAX_BODY:
            message = await receive()
            if message["type"] != "http.request":  # the client went away: nobody to answer
                return None
            chunk = message.get("body", b"")
            chunks.append(chunk)
            size += len(chunk)
            more = message.get("more_body", False)
        body = b"".join(chunks)
        if more or size > MAX_BODY:
            return await app(scope, _replay(body, receive, more), send)
        try:
            data = _decode(body)
        except msgspec.MsgspecError:  # the handler explains what is wrong, field by field
            return await app(scope, _replay(body, receive, False), send)
        route_handler = scope["route_handler"]
        connection = ASGIConnection(scope, receive, send)
        for guard in route_handler.resolve_guards():
            # Litestar's authorize_connection hands each guard a copy of the handler, which was
            # 5% of a worker's samples at the door; confops's guards only read the handler.
            await guard(connection, route_handler)
        answer = _encode(await answer_scan(scope["app"], authorization.decode("latin-1"), data))
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", _JSON), (b"content-length", str(len(answer)).encode())]})
        await send({"type": "http.response.body", "body": answer})

    return lane


def _replay(body: bytes, receive: Receive, more: bool) -> Receive:
    """A `receive` that gives the handler the body the lane already read, then the rest."""
    queue: list[Message] = [{"type": "http.request", "body": body, "more_body": more}]

    async def replay() -> Message:
        return queue.pop(0) if queue else await receive()

    return replay

"""What every request and response goes through, in one place rather than per route.

`check_input` (route middleware, first in the app's list) refuses input no route could store:
  - NUL and other control characters in the path, the query string, and form or JSON bodies
    (tab, line feed and carriage return are allowed in bodies: text areas have them) — a 422
    naming the field; PostgreSQL cannot store a NUL, and nothing a person types contains one;
  - integers in the path or in a handler's declared integer query parameters that do not fit
    the database's 32-bit integer columns (an id above 2^31 was a 500 on PostgreSQL, above
    2^63 on SQLite): a 404 for a path id (there is no such thing), a 422 for a query value.
It costs a few microseconds: the checks look for a '%' or an escape before doing more, and a
handler's integer parameters are found once per handler.

`secure_responses` wraps the whole application (so router 404s and error pages get them too)
and adds the security headers to every response: a Content-Security-Policy whose scripts need
this response's nonce (templates call `csp_nonce()`), frame-ancestors 'none', nosniff, a
Referrer-Policy that keeps tokens in URLs out of other sites' logs, and `Cache-Control:
no-store` on anything that carries a secret (a token in the URL, a signed-in page, sign-in).
"""

from __future__ import annotations

import contextvars
import json
import re
import secrets
import typing
from urllib.parse import parse_qsl, unquote_to_bytes

from litestar.params import ParameterKwarg
from litestar.types import ASGIApp, Message, Receive, Scope, Send

from confops.core.errors import Invalid, NotFound

INT_MIN, INT_MAX = -(2**31), 2**31 - 1
MAX_CHECKED_BODY = 2 * 1024 * 1024  # larger bodies are uploads, refused by their routes' own limits

_PATH_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_QUERY_CONTROL = re.compile(rb"%(?:[01][0-9a-fA-F]|7[fF])|[\x00-\x1f\x7f]")
_FORM_CONTROL = re.compile(rb"%(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_JSON_CONTROL = re.compile(rb"\\u00(?:0[0-8bBcCeEfF]|1[0-9a-fA-F]|7[fF])")
_TEXT_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_CONTROL_MESSAGE = "Contains a control character (such as NUL) that text cannot hold."

_FORM, _JSON = b"application/x-www-form-urlencoded", b"application/json"
# Route option: the route reads its body as data to examine, never to store (a credential
# checker takes any bytes and answers with a verdict), so control characters are its business.
ANY_TEXT = "takes_any_text"
_NOT_QUERY = frozenset({"request", "data", "state", "scope", "headers", "cookies", "socket", "body"})
_int_queries: dict[int, tuple[str, ...]] = {}


def _int_query_names(handler) -> tuple[str, ...]:
    """The query parameters a handler declares as integers (found once per handler)."""
    key = id(handler)
    if key not in _int_queries:
        names = []
        for name, field in handler.parsed_fn_signature.parameters.items():
            kwarg = field.kwarg_definition
            if name in _NOT_QUERY or (isinstance(kwarg, ParameterKwarg) and (kwarg.header or kwarg.cookie)):
                continue
            types = typing.get_args(field.annotation) or (field.annotation,)
            if int in types and bool not in types:
                names.append(kwarg.query if isinstance(kwarg, ParameterKwarg) and kwarg.query else name)
        _int_queries[key] = tuple(names)
    return _int_queries[key]


def _control_field(pairs: list[tuple[str, str]]) -> str:
    for name, value in pairs:
        if _PATH_CONTROL.search(name) or _TEXT_CONTROL.search(value):
            return name if not _PATH_CONTROL.search(name) else "field name"
    return "body"


def _json_field(value: object, path: str = "") -> str | None:
    if isinstance(value, str):
        return path or "body" if _TEXT_CONTROL.search(value) else None
    if isinstance(value, dict):
        for k, v in value.items():
            where = f"{path}.{k}" if path else str(k)
            if _TEXT_CONTROL.search(str(k)):
                return where
            if found := _json_field(v, where):
                return found
    if isinstance(value, list):
        for i, v in enumerate(value):
            if found := _json_field(v, f"{path}[{i}]"):
                return found
    return None


def _check_query(scope: Scope) -> None:
    query = scope.get("query_string", b"")
    if not query:
        return
    if b"%" in query or _QUERY_CONTROL.search(query):
        if _QUERY_CONTROL.search(query):
            pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
            field = next((n for n, v in pairs if _PATH_CONTROL.search(n) or _PATH_CONTROL.search(v)), "query")
            raise Invalid(_CONTROL_MESSAGE, field=field)
    names = _int_query_names(scope["route_handler"])
    if names:
        for name, value in parse_qsl(query.decode("latin-1"), keep_blank_values=True):
            if name in names:
                try:
                    number = int(value)
                except ValueError:
                    continue  # not a number: the handler's own validation says so
                if not INT_MIN <= number <= INT_MAX:
                    raise Invalid("This number is out of range.", field=name)


def _check_body(body: bytes, kind: bytes) -> None:
    if kind == _FORM:
        if b"%" in body or _FORM_CONTROL.search(body):
            if _FORM_CONTROL.search(body):
                pairs = [(unquote_to_bytes(n.replace(b"+", b" ")).decode("utf-8", "replace"),
                          unquote_to_bytes(v.replace(b"+", b" ")).decode("utf-8", "replace"))
                         for n, _, v in (part.partition(b"=") for part in body.split(b"&"))]
                raise Invalid(_CONTROL_MESSAGE, field=_control_field(pairs))
    elif b"\\u00" in body and _JSON_CONTROL.search(body):
        try:
            field = _json_field(json.loads(body)) or "body"
        except ValueError:
            field = "body"
        raise Invalid(_CONTROL_MESSAGE, field=field)


def _checked_receive(receive: Receive, kind: bytes) -> Receive:
    """A `receive` that reads the whole (form or JSON) body first and checks it."""
    pending: list[Message] = []

    async def checked() -> Message:
        if pending:
            return pending.pop(0)
        message = await receive()
        if message["type"] != "http.request" or not message.get("more_body", False):
            if message["type"] == "http.request":
                _check_body(message.get("body", b""), kind)
            return message
        chunks, size = [message.get("body", b"")], len(message.get("body", b""))
        while message.get("more_body", False) and size <= MAX_CHECKED_BODY:
            message = await receive()
            if message["type"] != "http.request":
                return message
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
        body = b"".join(chunks)
        more = message.get("more_body", False)
        if not more:
            _check_body(body, kind)
        return {"type": "http.request", "body": body, "more_body": more}

    return checked


def check_input(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            raw_path = scope.get("raw_path") or b"%"
            if b"%" in raw_path and _PATH_CONTROL.search(scope["path"]):
                raise Invalid(_CONTROL_MESSAGE, field="path")
            for name, value in scope.get("path_params", {}).items():
                if type(value) is int and not INT_MIN <= value <= INT_MAX:
                    raise NotFound("There is nothing at this address.", field=name)
            _check_query(scope)
            if scope["method"] in ("POST", "PUT", "PATCH") and not scope["path"].startswith("/webhooks/") \
                    and not scope["route_handler"].opt.get(ANY_TEXT):
                for name, value in scope["headers"]:
                    if name == b"content-type":
                        kind = value.partition(b";")[0].strip().lower()
                        if kind in (_FORM, _JSON):
                            receive = _checked_receive(receive, kind)
                        break
        await app(scope, receive, send)

    return middleware


# ---- response headers -------------------------------------------------------------------------

_nonce: contextvars.ContextVar[str] = contextvars.ContextVar("csp_nonce", default="")


def csp_nonce() -> str:
    """This response's script nonce, for `<script nonce="{{ csp_nonce() }}">` in templates."""
    return _nonce.get()


_HTML_POLICY = ("default-src 'self'; script-src 'self' 'nonce-{nonce}' https://js.stripe.com; "
                "style-src 'self'; img-src 'self' data: blob:; font-src 'self'; "
                "connect-src 'self' https://api.stripe.com; frame-src 'self' https://js.stripe.com "
                "https://hooks.stripe.com; worker-src 'self' blob:; media-src 'self' blob:; object-src 'none'; "
                "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")
# Piccolo-admin's single-page app sets inline styles of its own; it still runs no inline script.
_ADMIN_POLICY = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
                 "font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
_DATA_POLICY = b"default-src 'none'; frame-ancestors 'none'"  # JSON: nothing in it may ever run
# A script's own policy binds it when it runs as a worker (the scanner's offline cache fetches).
_SCRIPT_POLICY = b"default-src 'self'; frame-ancestors 'none'"
_OTHER_POLICY = b"frame-ancestors 'none'"
_PDF_POLICY = b"frame-ancestors 'self'"  # the walk-in desk shows the badge PDF in a frame of its own page
_COMMON = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin"),
           (b"cross-origin-opener-policy", b"same-origin"), (b"permissions-policy", b"camera=(self), microphone=()")]
_SECRET_PREFIXES = ("/account", "/staff", "/login", "/orders", "/checkin", "/speaker", "/agenda", "/admin",
                    "/calendar", "/unsubscribe", "/api/v1/orders", "/api/v1/checkin", "/logout")


def _carries_secret(scope: Scope) -> bool:
    path = scope.get("path", "")
    if path.startswith(_SECRET_PREFIXES) or b"token" in scope.get("query_string", b""):
        return True
    return any(name == b"cookie" and b"confops_session=" in value for name, value in scope.get("headers", []))


def secure_responses(app: ASGIApp, *, https: bool) -> ASGIApp:
    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            return await app(scope, receive, send)
        token = _nonce.set(secrets.token_urlsafe(16))

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                kind = b""
                has_cache = False
                for name, value in headers:
                    if name == b"content-type":
                        kind = value
                    elif name == b"cache-control":
                        has_cache = True
                if kind.startswith(b"text/html"):
                    policy = (_ADMIN_POLICY if scope["path"].startswith("/admin") else
                              _HTML_POLICY.format(nonce=_nonce.get())).encode()
                    headers.append((b"x-frame-options", b"DENY"))
                elif kind.startswith(b"application/pdf"):
                    policy = _PDF_POLICY
                    headers.append((b"x-frame-options", b"SAMEORIGIN"))
                else:
                    policy = (_DATA_POLICY if b"json" in kind else _SCRIPT_POLICY if b"javascript" in kind
                              else _OTHER_POLICY)
                    headers.append((b"x-frame-options", b"DENY"))
                headers.append((b"content-security-policy", policy))
                headers.extend(_COMMON)
                if https:
                    headers.append((b"strict-transport-security", b"max-age=31536000; includeSubDomains"))
                if not has_cache and not scope["path"].startswith("/static/") and _carries_secret(scope):
                    headers.append((b"cache-control", b"no-store"))
                message = {**message, "headers": headers}
            await send(message)

        try:
            await app(scope, receive, send_with_headers)
        finally:
            _nonce.reset(token)

    return wrapped

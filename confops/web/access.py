"""One guard for every route: it reads the route's declared access level and the session."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie
from litestar.handlers.base import BaseRouteHandler

from confops.accounts import sessions
from confops.accounts.service import load_principal
from confops.core.auth import ACCESS_LEVELS, DEVICE, PUBLIC, SIGNED_IN, STAFF, Principal
from confops.core.errors import NotSignedIn, NotYours

SESSION_COOKIE = "confops_session"
# Route option: the route never uses a person's session (bearer-token APIs): none is looked up.
NO_SESSION = "no_session"


def session_token(connection: ASGIConnection) -> str | None:
    return connection.cookies.get(SESSION_COOKIE)


async def session_of(connection: ASGIConnection) -> sessions.Session | None:
    """The request's server-side session (any stage), looked up once per request."""
    if "session_record" not in connection.state:
        connection.state.session_record = await sessions.find(session_token(connection))
    return connection.state.session_record


async def principal_of(connection: ASGIConnection) -> Principal | None:
    """The signed-in person, loaded once per request and kept on the request state. Only a
    session whose sign-in is complete counts (not one still owing its second factor)."""
    if "principal" in connection.state:
        return connection.state.principal
    principal = None
    if session_token(connection):
        record = await session_of(connection)
        if record is not None and record.stage == sessions.SIGNED_IN:
            principal = await load_principal(record.user_id)
    connection.state.principal = principal
    return principal


def session_cookie(connection: ASGIConnection, token: str | None) -> Cookie:
    """The cookie carrying a session token (None: the cookie is removed)."""
    settings = connection.app.state.settings
    return Cookie(key=SESSION_COOKIE, value=token or "", path="/", httponly=True, samesite="lax",
                  secure=settings.secure_cookies, max_age=settings.session_hours * 3600 if token else 0)


@lru_cache(maxsize=16)
def _networks(spec: str) -> tuple:
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in spec.split(",") if part.strip())


def _trusted(address: str, networks: tuple) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in net for net in networks)


def client_address(connection: ASGIConnection) -> str:
    """The visitor's address: the peer, unless the peer is one of CONFOPS_TRUSTED_PROXIES, in
    which case the nearest address in X-Forwarded-For that is not a trusted proxy. Anyone can
    write X-Forwarded-For, so it is believed only from the proxies named (default: none)."""
    peer = connection.scope.get("client")
    address = peer[0] if peer else ""
    networks = _networks(connection.app.state.settings.trusted_proxies)
    if not networks or not _trusted(address, networks):
        return address
    forwarded = ",".join(connection.headers.getall("x-forwarded-for", []))
    for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
        if not _trusted(hop, networks):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:
                return address  # a malformed hop: believe nothing beyond the proxy
    return address


async def access_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Enforce the route's `opt["access"]` and, if given, `opt["roles"]` (held at some organizer)."""
    access = handler.opt.get("access")
    if access is None and getattr(handler, "http_methods", None) == {"OPTIONS"}:
        return  # Litestar's automatic OPTIONS answer: it lists methods and reveals nothing
    if access not in ACCESS_LEVELS:
        # Refuse rather than guess: a route without a declared rule is a programming error.
        raise NotYours("This page has no access rule.", code="no_access_rule")
    if handler.opt.get(NO_SESSION):
        connection.state.principal = None
        if access in (PUBLIC, DEVICE):
            return
    principal = await principal_of(connection)
    if access in (PUBLIC, DEVICE):  # device routes authenticate their bearer token themselves
        return
    if principal is None:
        raise NotSignedIn("Please sign in to continue.", code="staff_sign_in" if access == STAFF else "sign_in")
    if access == STAFF and not principal.is_staff:
        raise NotYours("This part is for the society's staff.")
    wanted = handler.opt.get("roles")
    if wanted and not any(principal.has(org, *wanted) for org in principal.roles):
        # The handler still checks the role at the organizer the request is about.
        raise NotYours("Your account does not have the role this needs.")
    assert access in (SIGNED_IN, STAFF)

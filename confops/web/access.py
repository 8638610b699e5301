"""One guard for every route: it reads the route's declared access level and the session."""

from __future__ import annotations

from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler

from confops.accounts.service import load_principal
from confops.core.auth import ACCESS_LEVELS, DEVICE, PUBLIC, SIGNED_IN, STAFF, Principal
from confops.core.errors import NotSignedIn, NotYours

SESSION_USER = "uid"
# Route option: the route has no cookie session (bearer-token APIs); the session middleware skips it.
NO_SESSION = "no_session"


async def principal_of(connection: ASGIConnection) -> Principal | None:
    """The signed-in person, loaded once per request and kept on the request state."""
    if "principal" in connection.state:
        return connection.state.principal
    principal = None
    session = connection.scope.get("session") or {}
    user_id = session.get(SESSION_USER) if isinstance(session, dict) else None
    if isinstance(user_id, int):
        principal = await load_principal(user_id)
    connection.state.principal = principal
    return principal


async def access_guard(connection: ASGIConnection, handler: BaseRouteHandler) -> None:
    """Enforce the route's `opt["access"]` and, if given, `opt["roles"]` (held at some organizer)."""
    access = handler.opt.get("access")
    if access is None and getattr(handler, "http_methods", None) == {"OPTIONS"}:
        return  # Litestar's automatic OPTIONS answer: it lists methods and reveals nothing
    if access not in ACCESS_LEVELS:
        # Refuse rather than guess: a route without a declared rule is a programming error.
        raise NotYours("This page has no access rule.", code="no_access_rule")
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


def route_access(handler: BaseRouteHandler) -> str | None:
    return handler.opt.get("access")

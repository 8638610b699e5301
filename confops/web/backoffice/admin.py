"""piccolo-admin at /admin/ for confops admins: raw edits of every table.

The mount sits behind the app's access guard (admin role only). piccolo-admin has its own
sign-in (piccolo's BaseUser + a session cookie named "id"); rather than a second password, a
confops admin is bridged: they get a piccolo admin user of the same e-mail and a session, and
that session's cookie is put on each request forwarded to piccolo-admin (replacing any
cookie the browser sent), so nobody reaches the admin as anyone but themselves.

Every change made there is in the audit log (admin_audit.py). Every table is there except the
demographics: one row is one person's self-identification,
and no page may show that (the diversity report shows suppressed counts only).
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from litestar import asgi
from litestar.connection import ASGIConnection
from litestar.types import Receive, Scope, Send
from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

from confops.accounts.tables import Role
from confops.core.auth import STAFF
from confops.core.errors import NotYours
from confops.web.access import principal_of
from confops.web.backoffice.admin_audit import audited

_state: dict = {}
SESSION_COOKIE = "id"  # piccolo_api's session cookie name


def _admin_app():
    if "app" not in _state:
        from piccolo_admin.endpoints import create_admin

        from confops.db import all_tables
        from confops.registration.tables import Demographics

        tables = [t for t in all_tables() if t is not Demographics]
        _state["app"] = create_admin(tables=tables, auth_table=BaseUser, session_table=SessionsBase,
                                     site_name="confops admin", auto_include_related=True,
                                     session_expiry=timedelta(hours=2))
    return _state["app"]


async def _piccolo_user(email: str) -> int:
    row = await BaseUser.select(BaseUser.id).where(BaseUser.email == email).first()
    if row:
        await BaseUser.update({BaseUser.admin: True, BaseUser.active: True, BaseUser.superuser: True}).where(
            BaseUser.id == row["id"])
        return row["id"]
    user = await BaseUser.create_user(username=email[:100], email=email, password=secrets.token_urlsafe(24) + "Aa1!",
                                      admin=True, superuser=True, active=True)
    return user.id


async def _session_token(email: str) -> str:
    token = _state.get(("token", email))
    if token and await SessionsBase.get_user_id(token):
        return token
    user_id = await _piccolo_user(email)
    session = await SessionsBase.create_session(user_id, expiry_date=datetime.now() + timedelta(hours=2),
                                                max_expiry_date=datetime.now() + timedelta(hours=8))
    _state[("token", email)] = session.token
    return session.token


def _with_cookie(scope: Scope, token: str) -> Scope:
    headers = []
    cookies = [f"{SESSION_COOKIE}={token}"]
    for name, value in scope.get("headers", []):
        if name == b"cookie":
            cookies += [c.strip() for c in value.decode("latin-1").split(";")
                        if c.strip() and not c.strip().startswith(f"{SESSION_COOKIE}=")]
        else:
            headers.append((name, value))
    headers.append((b"cookie", "; ".join(cookies).encode("latin-1")))
    return {**scope, "headers": headers}


@asgi("/admin", is_mount=True, copy_scope=True,
      opt={"access": STAFF, "roles": [Role.admin], "exclude_from_csrf": True})  # piccolo-admin checks its own CSRF
async def admin(scope: Scope, receive: Receive, send: Send) -> None:
    principal = await principal_of(ASGIConnection(scope))
    if principal is None or not any(Role.admin in held for held in principal.roles.values()):
        raise NotYours("Only admins may use the admin.")
    token = await _session_token(principal.email.lower())
    await audited(_admin_app(), _with_cookie(scope, token), receive, send, principal.user_id)

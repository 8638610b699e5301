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

from litestar import asgi
from litestar.connection import ASGIConnection
from litestar.exceptions import MethodNotAllowedException
from litestar.types import Receive, Scope, Send

from confops.backoffice.admin_site import admin_app, session_token
from confops.core.auth import STAFF, Role
from confops.core.errors import NotYours
from confops.web.access import principal_of
from confops.web.backoffice.admin_audit import audited

SESSION_COOKIE = "id"  # piccolo_api's session cookie name


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
    if scope.get("method") == "PUT":
        # piccolo-api replaces a row whole without its hooks (a registration's name keys would
        # not follow its name); piccolo-admin's own pages edit with PATCH.
        raise MethodNotAllowedException("Edit rows with PATCH here; replacing a whole row is not offered.")
    token = await session_token(principal.email.lower())
    await audited(admin_app(), _with_cookie(scope, token), receive, send, principal.user_id)

"""Every route, for every role, against the reviewed table in access_matrix.py.

A route is called with plausible parameters by each of: anonymous, attendee, speaker, check-in
staff, registrar, CME coordinator and admin, and must let in exactly whom the table says, and
never answer 500. A route missing from the table (or a stale line) fails the first test, so
adding a route means deciding who may use it.
"""

import re

import pytest

from confops.accounts import passwords
from confops.accounts.service import create_user
from confops.core.auth import DEVICE, PUBLIC, SIGNED_IN, Role
from tests.support.second_factor import finish_staff_sign_in
from tests.web.access_matrix import RULES

ROLES = [None, Role.attendee, Role.speaker, Role.checkin, Role.registrar, Role.cme_coordinator, Role.admin]
PASSWORD = "matrix-password-1"
SAMPLES = {"slug": "abs-national-meeting", "token": "not-a-real-token"}


def _fill(path: str) -> str:
    def value(match: re.Match) -> str:
        name, kind = match.group(1), match.group(2) or "str"
        if kind == "int":
            return "1"
        if kind == "path":
            return "x"
        return SAMPLES.get(name, "x")

    return re.sub(r"\{(\w+)(?::(\w+))?\}", value, path)


REFUSALS = {"not_signed_in", "sign_in", "staff_sign_in", "forbidden", "no_access_rule"}


def _refused(response) -> bool:
    """Refused by the access rules (not e.g. a wrong password on a public form)."""
    if response.status_code not in (401, 403) or "json" not in response.headers.get("content-type", ""):
        return False  # e.g. the sign-in form answering 401 to a wrong password
    return response.json().get("code") in REFUSALS


def _parse(rule: str) -> tuple[str, frozenset[Role] | None]:
    access, _, roles = rule.partition(":")
    return access, frozenset(Role(r) for r in roles.split(",")) if roles else None


def _routes(app):
    found = []
    for route in app.routes:
        mount = getattr(route, "route_handler", None)
        if getattr(mount, "is_mount", False):
            found.append(("GET", route.path.rstrip("/") + "/"))  # an ASGI mount (piccolo-admin): walk its start page
            continue
        for handler in getattr(route, "route_handlers", []):
            methods = set(getattr(handler, "http_methods", set())) - {"OPTIONS", "HEAD"}
            if not methods or route.path.startswith("/static"):
                continue
            for method in sorted(methods):
                found.append((method, route.path))
    # Signing out ends the identity under test, so it goes last.
    return sorted(found, key=lambda r: (r[1] == "/logout", r[1], r[0]))


def test_every_route_has_a_reviewed_rule(app):
    routes = {f"{method} {path}" for method, path in _routes(app)}
    missing = sorted(routes - RULES.keys())
    stale = sorted(RULES.keys() - routes)
    assert not missing, f"add these routes to tests/web/access_matrix.py: {missing}"
    assert not stale, f"these lines in access_matrix.py match no route: {stale}"


async def _sign_in(client, role):
    client.cookies.clear()
    if role is None:
        return
    email = f"{role.value}@matrix.example.org"
    await create_user(email, f"Matrix {role.value}", password_hash=_hash(), roles=[("abs", role)])
    await client.get("/staff/login")
    r = await client.post("/staff/login", data={"email": email, "password": PASSWORD,
                                                "_csrf_token": client.cookies["confops_csrf"]})
    r = await finish_staff_sign_in(client, r, {"email": email, "password": PASSWORD})  # admins: the second factor
    assert r.status_code == 303, r.text


_cached = {}


def _hash():
    if "h" not in _cached:
        _cached["h"] = passwords.hash_password(PASSWORD)
    return _cached["h"]


def _allowed(access, roles, role) -> bool:
    if access in (PUBLIC, DEVICE):
        return True
    if role is None:
        return False
    if access == SIGNED_IN:
        return True
    staff = role not in (Role.attendee, Role.speaker)
    if not staff:
        return False
    return not roles or role == Role.admin or role in roles


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.value if r else "anonymous")
async def test_every_route_for_every_role(client, demo, role):
    await _sign_in(client, role)
    await client.get("/")  # CSRF cookie for this identity
    problems = []
    for method, path in _routes(client._transport.app):
        access, roles = _parse(RULES[f"{method} {path}"])
        url = _fill(path)
        headers = {"x-csrftoken": client.cookies.get("confops_csrf", "")}
        r = await client.request(method, url, headers={**headers, "accept": "application/json"})
        if r.status_code >= 500:
            problems.append(f"{method} {url} (json) -> {r.status_code}")
        elif _allowed(access, roles, role) and _refused(r) and access != DEVICE:
            problems.append(f"{method} {url} refused {role} although {access}{roles or ''}: {r.status_code}")
        elif not _allowed(access, roles, role) and not _refused(r):
            problems.append(f"{method} {url} let {role} through ({access}{roles or ''}): {r.status_code}")
        page = await client.request(method, url, headers={**headers, "accept": "text/html"})
        if page.status_code >= 500:
            problems.append(f"{method} {url} (html) -> {page.status_code}")
    assert not problems, "\n".join(problems)

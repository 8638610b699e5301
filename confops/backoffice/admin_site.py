"""piccolo-admin's side of /admin/: which tables it edits (every one but the demographics: one
row is one person's self-identification, and no page may show that) and the piccolo user and
session that stand for a confops admin there (web/backoffice/admin.py puts the session on each
request it forwards)."""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta

from piccolo.apps.user.tables import BaseUser
from piccolo_api.session_auth.tables import SessionsBase

_state: dict = {}


def admin_app():
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


async def session_token(email: str) -> str:
    token = _state.get(("token", email))
    if token and await SessionsBase.get_user_id(token):
        return token
    user_id = await _piccolo_user(email)
    session = await SessionsBase.create_session(user_id, expiry_date=datetime.now() + timedelta(hours=2),
                                                max_expiry_date=datetime.now() + timedelta(hours=8))
    _state[("token", email)] = session.token
    return session.token

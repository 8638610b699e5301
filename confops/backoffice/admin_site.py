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
        from piccolo_admin.endpoints import TableConfig, create_admin
        from piccolo_api.crud.hooks import Hook, HookType

        from confops.db import all_tables
        from confops.registration.name_keys import keys_of_new, keys_of_patch
        from confops.registration.tables import Attendee, Demographics

        # A registration's folded name keys follow its name, edited or created here too
        # (replacing a row whole, PUT, runs no hook: web/backoffice/admin.py refuses it).
        attendees = TableConfig(Attendee, hooks=[Hook(HookType.pre_save, keys_of_new),
                                                 Hook(HookType.pre_patch, keys_of_patch)])
        tables = [attendees if t is Attendee else t for t in all_tables() if t is not Demographics]
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

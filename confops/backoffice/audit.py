"""The audit log of staff changes: written by the "staff_change" listener, browsed by admins.

Values are stored as JSON-safe copies (dates as ISO text), so any dict a service has at hand
can be logged as it was before and after.
"""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import Any

from confops.accounts.tables import User
from confops.backoffice.tables import AuditEntry
from confops.core import clock


def _jsonable(value: Any) -> Any:
    if value is None:
        return None
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if isinstance(v, date | datetime)
                                 else str(v)))


async def record(actor_id: int | None, action: str, entity: str, entity_id: Any,
                 before: dict | None = None, after: dict | None = None) -> int:
    email = ""
    if actor_id is not None:
        row = await User.select(User.email).where(User.id == actor_id).first()
        email = row["email"] if row else ""
    entry = AuditEntry(actor_id=actor_id, actor_email=email, action=action[:80], entity=entity[:80],
                       entity_id=str(entity_id)[:80], before=_jsonable(before), after=_jsonable(after),
                       at=clock.now())
    await entry.save()
    return entry.id


def changed_fields(before: dict | None, after: dict | None) -> list[tuple[str, Any, Any]]:
    before, after = before or {}, after or {}
    return [(k, before.get(k), after.get(k)) for k in sorted(set(before) | set(after))
            if before.get(k) != after.get(k)]


async def search(*, actor: str = "", entity: str = "", action: str = "", days: int | None = None,
                 limit: int = 200) -> list[dict]:
    where = AuditEntry.id > 0
    if actor:
        where &= AuditEntry.actor_email == actor.strip().lower()
    if entity:
        where &= AuditEntry.entity == entity.strip()
    if action:
        where &= AuditEntry.action == action.strip()
    if days:
        where &= AuditEntry.at >= clock.now() - timedelta(days=days)
    rows = await AuditEntry.select().where(where).order_by(AuditEntry.at, ascending=False).order_by(
        AuditEntry.id, ascending=False).limit(limit)
    for r in rows:
        for key in ("before", "after"):
            if isinstance(r[key], str):
                r[key] = json.loads(r[key]) if r[key] else None
        r["changes"] = changed_fields(r["before"], r["after"])
    return rows


async def choices() -> dict[str, list[str]]:
    """The values the filters offer (who, which kind of record, which action)."""
    rows = await AuditEntry.select(AuditEntry.actor_email, AuditEntry.entity, AuditEntry.action).distinct()
    return {"actors": sorted({r["actor_email"] for r in rows if r["actor_email"]}),
            "entities": sorted({r["entity"] for r in rows}), "actions": sorted({r["action"] for r in rows})}

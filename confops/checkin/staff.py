"""What the staff check-in page needs: who may use it, and everything it shows at once."""

from __future__ import annotations

from confops.checkin import devices, lists, scanning
from confops.checkin.tables import CheckinList
from confops.core.auth import Principal, Role
from confops.events.access import event_for_roles
from confops.events.tables import Session

ROLES = (Role.checkin, Role.registrar)


async def event_for_checkin(slug: str, principal: Principal | None) -> dict:
    return await event_for_roles(slug, principal, ROLES)


async def overview(event_id: int) -> dict:
    all_lists = await lists.lists_of(event_id)
    names = {row["id"]: row["name"] for row in all_lists}
    rows = await devices.devices_of(event_id)
    for row in rows:
        ids = [int(i) for i in row["list_ids"].split(",") if i]
        row["list_names"] = [names.get(i, f"#{i}") for i in ids] or ["every list"]
    with_list = {r["session"] for r in await CheckinList.select(CheckinList.session).where(
        (CheckinList.event == event_id) & CheckinList.session.is_not_null())}
    sessions = await Session.select(Session.id, Session.code, Session.title, Session.starts_at).where(
        Session.event == event_id).order_by(Session.starts_at)
    return {
        "lists": all_lists,
        "devices": rows,
        "conflicts": await scanning.conflicts_of(event_id),
        "sessions": [s for s in sessions if s["id"] not in with_list],
    }

"""Scanners without network: what a device takes along, and what happens when it comes back.

At each sync an authorised device gets its lists, every attendee's name and current token
version (the revocation map), who is unpaid, and the event's HMAC key (tokens.py says why a
per-event key and not a signature). The page verifies badges itself while offline and queues
each accepted scan with a nonce and the device's clock.

Upload rules: a nonce already seen is a no-op (`duplicate`); the earliest scan by client time
wins (if a later scan was uploaded first, the earlier one takes its place and the later one
becomes the conflict); anything the server would not have accepted is kept as a conflict for
staff; a scan that cannot be judged at all (a list outside the device's scope, a bad nonce) is
answered `invalid` on its own, and the rest of the batch goes in.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from confops.checkin import tokens
from confops.checkin.admission import OK
from confops.checkin.devices import Device, ListInfo
from confops.checkin.scanning import Outcome, announce, check_input, insert_scan, verify
from confops.checkin.tables import CheckinConflict, CheckinList, CheckinScan
from confops.core import clock
from confops.core.errors import DomainError, NotFound
from confops.db import insert_or_ignore, transaction
from confops.registration.tables import Attendee

ACCEPTED, DUPLICATE, CONFLICT = "accepted", "duplicate", "conflict"


async def sync_material(device: Device, key: tokens.EventKey) -> dict:
    lists = await CheckinList.select(CheckinList.id, CheckinList.name, CheckinList.kind, CheckinList.day,
                                     CheckinList.track_exit).where(CheckinList.event == device.event_id
                                                                   ).order_by(CheckinList.id)
    people = await Attendee.select(
        Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.badge_name, Attendee.token_version,
        Attendee.status, Attendee.order.status.as_alias("order_status"),
        Attendee.category.label.as_alias("category"),
    ).where(Attendee.event == device.event_id)
    return {
        "event_id": device.event_id,
        "device": {"id": device.id, "name": device.name},
        "lists": [{**row, "day": row["day"].isoformat() if row["day"] else None} for row in lists
                  if device.may_use(row["id"])],
        "key": {"generation": key.generation, "secret": base64.b64encode(key.secret).decode()},
        # attendee id -> [current token version, name, category, state]; a state other than
        # "ok" makes the page show amber/red even offline.
        "people": {str(p["id"]): [p["token_version"], f"{(p['badge_name'] or p['first_name']).strip()} "
                                                     f"{p['last_name']}".strip(), p["category"], _state(p)]
                   for p in people},
        "server_time": clock.now().isoformat(),
    }


def _state(p: dict) -> str:
    if p["status"] != "active" or p["order_status"] in ("cancelled", "expired"):
        return "revoked"
    return "ok" if p["order_status"] == "confirmed" else "unpaid"


@dataclass(frozen=True)
class QueuedScan:
    nonce: str
    list_id: int
    token: str
    client_time: datetime
    direction: str = "in"


INVALID = "invalid"


async def upload(device: Device, lists: dict[int, ListInfo | DomainError], key: tokens.EventKey,
                 scans: list[QueuedScan]) -> list[dict]:
    """Apply a device's queue in client-time order; one answer per scan, by nonce.

    Each scan is judged on its own: one that cannot be accepted (a list outside the device's
    scope, a malformed nonce, a badge that does not verify) is answered `invalid` or kept as a
    conflict, and the rest of the batch goes in. The same batch uploaded twice at once (a
    scanner retrying while its first upload runs) gives the same answers: every write is an
    insert that the database ignores when the nonce is already there, never a check first."""
    answers = []
    scans = [s if s.client_time.tzinfo else replace(s, client_time=s.client_time.replace(tzinfo=UTC)) for s in scans]
    for item in sorted(scans, key=lambda s: s.client_time):
        lst = lists.get(item.list_id)
        if not isinstance(lst, ListInfo):
            reason = lst.detail if isinstance(lst, DomainError) else "No such list."
            answers.append({"nonce": item.nonce, "status": INVALID, "reason": reason})
            continue
        try:
            check_input(item.nonce, item.direction, lst)
        except DomainError as problem:
            answers.append({"nonce": item.nonce, "status": INVALID, "reason": problem.detail})
            continue
        answers.append(await _one(device, lst, key, item))
    return answers


async def _one(device: Device, lst: ListInfo, key: tokens.EventKey, item: QueuedScan) -> dict:
    nonce_key = f"{device.id}:{item.nonce}"
    if seen := await _answer_seen(nonce_key, item.nonce):
        return seen
    outcome, _row = await verify(device, key, item.token, None)  # the badge's tag before any lookup
    at = min(item.client_time, clock.now())  # a clock running ahead cannot claim the future
    if outcome.result != OK:
        if not await _conflict(device, lst, outcome, item, nonce_key, at, winner=None):
            return {"nonce": item.nonce, "status": DUPLICATE}
        return {"nonce": item.nonce, "status": CONFLICT, "reason": outcome.result}
    once_key = f"{lst.id}:{outcome.attendee_id}:{item.direction}"
    async with transaction():
        made = await insert_scan(device, lst, outcome.attendee_id, item.direction, at, nonce_key, once_key,
                                 offline=True)
        if made is not None:
            await announce(lst, outcome.attendee_id, item.direction, at)
            return {"nonce": item.nonce, "status": ACCEPTED, "scan_id": made}
        first = await CheckinScan.select().where(CheckinScan.once_key == once_key).first()
        if first is None or first["nonce_key"] == nonce_key:
            return {"nonce": item.nonce, "status": DUPLICATE}  # this very scan, recorded by a concurrent upload
        outcome.result = "already_checked_in"
        if at < first["scanned_at"]:
            # This scan happened first: it takes the check-in's place, the other one is the conflict.
            # Conditional, so two uploads racing to move it cannot both do it.
            moved = await CheckinScan.update({
                CheckinScan.scanned_at: at, CheckinScan.device: device.id, CheckinScan.station: device.name,
                CheckinScan.nonce_key: nonce_key, CheckinScan.offline: True, CheckinScan.received_at: clock.now(),
            }).where((CheckinScan.id == first["id"]) & (CheckinScan.nonce_key == first["nonce_key"])
                     ).returning(CheckinScan.id)
            if moved:
                await CheckinConflict.insert(CheckinConflict(
                    checkin_list=lst.id, attendee=outcome.attendee_id, device=first["device"],
                    station=first["station"], direction=item.direction, reason=outcome.result,
                    scanned_at=first["scanned_at"], nonce_key=first["nonce_key"], winner=first["id"],
                )).on_conflict(action="DO NOTHING")
                await announce(lst, outcome.attendee_id, item.direction, at)  # the check-in's time moved earlier
                return {"nonce": item.nonce, "status": ACCEPTED, "scan_id": first["id"], "replaced_later_scan": True}
            return await _answer_seen(nonce_key, item.nonce) or {"nonce": item.nonce, "status": DUPLICATE}
        if not await _conflict(device, lst, outcome, item, nonce_key, at, winner=first["id"]):
            return {"nonce": item.nonce, "status": DUPLICATE}
    return {"nonce": item.nonce, "status": CONFLICT, "reason": outcome.result,
            "checked_in_at": first["scanned_at"].isoformat(), "station": first["station"]}


async def _answer_seen(nonce_key: str, nonce: str) -> dict | None:
    """A scan uploaded before (this upload or a concurrent one) answers `duplicate`."""
    if await CheckinScan.exists().where(CheckinScan.nonce_key == nonce_key) or \
            await CheckinConflict.exists().where(CheckinConflict.nonce_key == nonce_key):
        return {"nonce": nonce, "status": DUPLICATE}
    return None


async def _conflict(device: Device, lst: ListInfo, outcome: Outcome, item: QueuedScan, nonce_key: str,
                    at: datetime, winner: int | None) -> bool:
    """Keep the scan for staff review; False when its nonce is kept already (a concurrent upload)."""
    return await insert_or_ignore(CheckinConflict(
        checkin_list=lst.id, attendee=outcome.attendee_id, device=device.id, station=device.name,
        direction=item.direction, reason=outcome.result, scanned_at=at, nonce_key=nonce_key, winner=winner,
    )) is not None


async def resolve_conflict(event_id: int, conflict_id: int, resolved_by: int | None, note: str) -> None:
    async with transaction():
        rows = await CheckinConflict.update({
            CheckinConflict.resolved_at: clock.now(), CheckinConflict.resolved_by: resolved_by,
            CheckinConflict.resolution: (note or "").strip()[:500] or "reviewed",
        }).where((CheckinConflict.id == conflict_id) & (CheckinConflict.checkin_list.is_in(
            CheckinList.select(CheckinList.id).where(CheckinList.event == event_id)))
            & CheckinConflict.resolved_at.is_null()).returning(CheckinConflict.id)
    if not rows:
        raise NotFound("There is no such open conflict.")

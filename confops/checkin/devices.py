"""Scanner devices: pairing (a bearer token shown once), scope (event and lists), revocation,
and the cached look-ups that keep every scan to one or two queries.

Why a cache with a short life instead of reading the device and the event key on every scan:
at the doors of a meeting hundreds of scans a minute arrive, and the device row and the sealed
key change almost never. A revoked device keeps working on another worker for at most
CACHE_SECONDS; the worker that handled the revocation forgets it at once.
"""

from __future__ import annotations

import hashlib
import secrets
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from confops.checkin import service as keys_service
from confops.checkin import tokens
from confops.checkin.tables import CheckinList, ScannerDevice
from confops.core import clock
from confops.core.errors import Invalid, NotFound, NotSignedIn, NotYours
from confops.db import transaction
from confops.events.tables import Event

CACHE_SECONDS = 5.0
TOKEN_PREFIX = "dev_"


@dataclass(frozen=True)
class Device:
    id: int
    event_id: int
    name: str
    list_ids: frozenset[int]  # empty: every list of the event

    def may_use(self, list_id: int) -> bool:
        return not self.list_ids or list_id in self.list_ids


@dataclass(frozen=True)
class ListInfo:
    id: int
    event_id: int
    name: str
    kind: str
    session_id: int | None
    track_exit: bool


_devices: dict[str, tuple[float, Device | None]] = {}
_lists: dict[int, tuple[float, ListInfo | None]] = {}
_keys: dict[int, tuple[float, tokens.EventKey]] = {}
_cme: dict[int, tuple[float, bool]] = {}


def forget_cached() -> None:
    _devices.clear()
    _lists.clear()
    _keys.clear()
    _cme.clear()


async def _remember(store: dict, key, seconds: float, load: Callable[[], Awaitable]):
    """`store[key]` if it was loaded less than `seconds` ago, else `await load()`, kept (None too)."""
    now = time.monotonic()
    hit = store.get(key)
    if hit is None or hit[0] < now:
        hit = store[key] = (now + seconds, await load())
    return hit[1]


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _parse_ids(raw: str) -> frozenset[int]:
    return frozenset(int(x) for x in raw.split(",") if x.strip().isdigit())


async def create_device(event_id: int, name: str, list_ids: list[int], created_by: int | None) -> tuple[dict, str]:
    """A new device and its token; the token is returned once and only its hash is kept."""
    name = (name or "").strip()[:80]
    if not name:
        raise Invalid("Give the device a station name, e.g. Door A.", field="name")
    known = {r["id"] for r in await CheckinList.select(CheckinList.id).where(CheckinList.event == event_id)}
    wanted = sorted(set(list_ids))
    if any(i not in known for i in wanted):
        raise Invalid("Choose lists of this event.", field="list_ids")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    async with transaction():
        rows = await ScannerDevice.insert(ScannerDevice(
            event=event_id, name=name, token_hash=hash_token(token),
            list_ids=",".join(str(i) for i in wanted), created_by=created_by,
        )).returning(*ScannerDevice.all_columns())
    return rows[0], token


async def revoke_device(event_id: int, device_id: int) -> None:
    async with transaction():
        rows = await ScannerDevice.update({ScannerDevice.revoked_at: clock.now()}).where(
            (ScannerDevice.id == device_id) & (ScannerDevice.event == event_id)
            & ScannerDevice.revoked_at.is_null()).returning(ScannerDevice.token_hash)
    if not rows and not await ScannerDevice.exists().where(
            (ScannerDevice.id == device_id) & (ScannerDevice.event == event_id)):
        raise NotFound("There is no such device.")
    for row in rows:
        _devices.pop(row["token_hash"], None)


async def devices_of(event_id: int) -> list[dict]:
    return await ScannerDevice.select(
        ScannerDevice.id, ScannerDevice.name, ScannerDevice.list_ids, ScannerDevice.created_at,
        ScannerDevice.revoked_at, ScannerDevice.last_seen_at,
    ).where(ScannerDevice.event == event_id).order_by(ScannerDevice.id)


async def device_for_token(bearer: str | None) -> Device:
    """The device a bearer token belongs to; NotSignedIn when unknown or revoked."""
    if not bearer or not bearer.startswith(TOKEN_PREFIX) or len(bearer) > 100:
        raise NotSignedIn("This scanner is not paired (no valid device token).", code="device_token")
    digest = hash_token(bearer)

    async def load() -> Device | None:
        row = await ScannerDevice.select(
            ScannerDevice.id, ScannerDevice.event, ScannerDevice.name, ScannerDevice.list_ids,
            ScannerDevice.revoked_at).where(ScannerDevice.token_hash == digest).first()
        if row is None or row["revoked_at"] is not None:
            return None
        return Device(row["id"], row["event"], row["name"], _parse_ids(row["list_ids"]))

    device = await _remember(_devices, digest, CACHE_SECONDS, load)
    if device is None:
        raise NotSignedIn("This scanner's device token was revoked or is unknown.", code="device_token")
    return device


async def list_for_device(device: Device, list_id: int) -> ListInfo:
    """The list, if this device may scan it (another event's list or one outside its scope: 403)."""
    async def load() -> ListInfo | None:
        row = await CheckinList.select().where(CheckinList.id == list_id).first()
        return None if row is None else ListInfo(row["id"], row["event"], row["name"], row["kind"], row["session"],
                                                 row["track_exit"])

    info = await _remember(_lists, list_id, CACHE_SECONDS * 12, load)
    if info is None:
        raise NotFound("There is no such check-in list.", field="list_id")
    if info.event_id != device.event_id or not device.may_use(list_id):
        raise NotYours("This scanner may not scan this list.", code="list_not_allowed")
    return info


async def event_key(event_id: int, secret_key: str) -> tokens.EventKey:
    return await _remember(_keys, event_id, CACHE_SECONDS, lambda: keys_service.event_key(event_id, secret_key))


async def event_awards_cme(event_id: int) -> bool:
    """Whether the event has CME, as of at most CACHE_SECONDS ago: it picks the door's path
    (scanning.py), and that path checks the flag again in its own statement."""
    async def load() -> bool:
        rows = await Event.raw("SELECT cme_enabled FROM event WHERE id = {}", event_id)
        return bool(rows and rows[0]["cme_enabled"])

    return await _remember(_cme, event_id, CACHE_SECONDS, load)


def forget_event_awards_cme(event_id: int) -> None:
    _cme.pop(event_id, None)


async def touch(device: Device) -> None:
    await ScannerDevice.update({ScannerDevice.last_seen_at: clock.now()}).where(ScannerDevice.id == device.id)

"""Scanning a badge: verify the token, decide ok / already checked in / refused, record it.

The path is kept lean because every door of a meeting hits it at once: the device, the list and
the event key come from short-lived caches (devices.py), the attendee, their order and its
balance come in one query, and an accepted scan is one INSERT … ON CONFLICT DO NOTHING in one
transaction. "First scan wins" and "a retried request is a no-op" are the two unique columns
of CheckinScan, so two workers scanning the same badge at the same instant cannot both win.

Every accepted scan emits "entry_scan_accepted" or "session_scan_accepted" inside the scan's
transaction (confops/core/extension.py): CME evidence commits or rolls back with the scan. The
one exception is the entry of an event without CME on PostgreSQL, where no listener writes:
there the scan is a single statement that commits on its own, and the listeners hear of it
just after. On PostgreSQL the scans a process has waiting go together (fast_scan.py): one
statement, or at a CME event one transaction with their announcements. An offline scan that
turns out earlier than the recorded one is announced again with its earlier time; undoing a
scan emits "scan_undone" inside the undo's transaction.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from datetime import datetime

from confops.checkin import admission, devices, fast_scan, tokens
from confops.checkin.admission import OK, REVOKED, UNPAID, standing
from confops.checkin.devices import Device, ListInfo
from confops.checkin.tables import CheckinConflict, CheckinScan, ListKind
from confops.core import clock
from confops.core.errors import Invalid
from confops.core.extension import emit
from confops.db import current_engine, insert_or_ignore, is_sqlite, transaction

ALREADY = "already_checked_in"
INVALID = "invalid"
WRONG_EVENT = "wrong_event"
RESULTS = (OK, ALREADY, INVALID, WRONG_EVENT, REVOKED, UNPAID)
DIRECTIONS = ("in", "out")



@dataclass
class Outcome:
    result: str
    message: str = ""
    attendee_id: int | None = None
    name: str = ""
    category: str = ""
    notes: list[str] = field(default_factory=list)
    checked_in_at: datetime | None = None
    station: str = ""
    scan_id: int | None = None
    list_id: int | None = None
    direction: str = "in"


MAX_ROW_ID = 2**31 - 1  # the database's ids; a badge claiming more is not ours


async def person(event_id: int, attendee_id: int) -> dict | None:
    rows = await CheckinScan.raw(admission.PERSON_SQL, attendee_id, event_id)
    return rows[0] if rows else None


def display_name(row: dict) -> str:
    first = (row.get("badge_name") or row["first_name"] or "").strip()
    return f"{first} {row['last_name']}".strip()


def _keys(device: Device, lst: ListInfo, attendee_id: int, direction: str, nonce: str) -> tuple[str, str]:
    return f"{device.id}:{nonce}", f"{lst.id}:{attendee_id}:{direction}"


def check_input(nonce: str, direction: str, lst: ListInfo) -> None:
    if not nonce or len(nonce) > 64:
        raise Invalid("Send a client nonce of 1 to 64 characters.", field="nonce")
    if direction not in DIRECTIONS or (direction == "out" and not lst.track_exit):
        raise Invalid("This list takes only 'in' scans." if direction == "out" else "direction is in or out.",
                      field="direction")


async def verify(device: Device, key: tokens.EventKey, token: str | None, attendee_id: int | None
                 ) -> tuple[Outcome, dict | None]:
    """Who this is and whether they may come in (nothing is written)."""
    if token is None:  # found by name at the desk: staff vouch for the person, not a badge
        row = await person(device.event_id, attendee_id or 0)
        if row is None:
            return Outcome(INVALID, "No such person at this event."), None
    else:
        parsed = tokens.parse(token)
        if parsed is None:
            return Outcome(INVALID, "This is not a badge of ours."), None
        claims = parsed[0]
        if claims.event_id != device.event_id:
            return Outcome(WRONG_EVENT, "This badge is for another event."), None
        # The tag first: a forged or mistyped badge costs no query, and its attendee number
        # (any 32-bit value) is never looked up.
        signed = tokens.verify(token, key=key, current_version=claims.token_version).verdict
        if signed is tokens.Verdict.invalid or claims.attendee_id > MAX_ROW_ID:
            return Outcome(INVALID, "This badge does not verify."), None
        if signed is tokens.Verdict.revoked:  # signed by a key rotated out since
            return Outcome(REVOKED, "This badge was replaced or cancelled."), None
        row = await person(device.event_id, claims.attendee_id)
        verdict = tokens.verify(token, key=key, current_version=row["token_version"] if row else None)
        if verdict.verdict is tokens.Verdict.invalid:
            return Outcome(INVALID, "This badge does not verify."), None
        if verdict.verdict is tokens.Verdict.revoked:
            return Outcome(REVOKED, "This badge was replaced or cancelled.", row["id"] if row else None,
                           display_name(row) if row else ""), row
    result, notes, message = standing(row)
    return Outcome(result, message, row["id"], display_name(row), row["category"], notes), row


async def scan(device: Device, lst: ListInfo, key: tokens.EventKey, *, nonce: str, token: str | None = None,
               attendee_id: int | None = None, direction: str = "in") -> Outcome:
    """An online scan (or a desk check-in by name when ``attendee_id`` is given)."""
    check_input(nonce, direction, lst)
    if token is not None and not is_sqlite(current_engine()):
        outcome = await _scan_in_one_statement(device, lst, key, nonce=nonce, token=token, direction=direction)
        outcome.list_id, outcome.direction = lst.id, direction
        return outcome
    outcome, _row = await verify(device, key, token, attendee_id)
    outcome.list_id, outcome.direction = lst.id, direction
    if outcome.result != OK:
        return outcome
    now = clock.now()
    nonce_key, once_key = _keys(device, lst, outcome.attendee_id, direction, nonce)
    async with transaction():
        made = await insert_scan(device, lst, outcome.attendee_id, direction, now, nonce_key, once_key,
                             offline=False, manual=token is None)
        if made is not None:
            await announce(lst, outcome.attendee_id, direction, now)
    return await _answer(outcome, made, now, device.name, nonce_key, once_key)


async def _scan_in_one_statement(device: Device, lst: ListInfo, key: tokens.EventKey, *, nonce: str, token: str,
                                 direction: str) -> Outcome:
    """PostgreSQL: the tag is checked first (no query for a forgery), then one statement reads
    the person and records the check-in if they may come in (fast_scan.py).

    At the entry of an event without CME nobody else writes with the scan, so that statement
    runs alone: one round trip instead of BEGIN, statement, COMMIT. Elsewhere (a session list,
    or CME, which records attendance with the scan) it runs in a transaction with the listeners."""
    parsed = tokens.parse(token)
    if parsed is None or parsed[0].event_id != device.event_id or parsed[0].attendee_id > MAX_ROW_ID:
        outcome, _ = await verify(device, key, token, None)  # invalid or wrong event: no query
        return outcome
    claims = parsed[0]
    if tokens.verify(token, key=key, current_version=claims.token_version).verdict is not tokens.Verdict.ok:
        return Outcome(INVALID, "This badge does not verify.") if claims.generation >= key.generation \
            else Outcome(REVOKED, "This badge was replaced or cancelled.")
    now = clock.now()
    nonce_key, once_key = _keys(device, lst, claims.attendee_id, direction, nonce)
    scan = dict(event_id=device.event_id, attendee_id=claims.attendee_id, token_version=claims.token_version,
                list_id=lst.id, device_id=device.id, station=device.name, direction=direction, at=now,
                nonce_key=nonce_key, once_key=once_key)
    statement = functools.partial(fast_scan.lookup_and_insert, **scan)
    judge = functools.partial(_judge, token=token, key=key, lst=lst, attendee_id=claims.attendee_id,
                              direction=direction, now=now)
    done = None
    if lst.kind != ListKind.session.value and not await devices.event_awards_cme(device.event_id):
        done = await _record(statement, judge, alone=True)
        if done is None:
            devices.forget_event_awards_cme(device.event_id)  # CME was switched on a moment ago
    if done is None:  # with the scans waiting beside it, in one transaction
        done = await fast_scan.with_listeners(functools.partial(judge, alone=False), **scan)
    if done is None:  # on its own (inside a caller's transaction, or the shared one failed)
        async with transaction():
            done = await _record(statement, judge, alone=False)
    row, outcome = done
    if outcome.result != OK:
        return outcome
    return await _answer(outcome, row["scan_id"], now, device.name, nonce_key, once_key)


async def _record(statement, judge, *, alone: bool) -> tuple[dict | None, Outcome] | None:
    """Run the door's statement and tell the listeners about an accepted scan; None when it ran
    `alone` and found the event has CME after all (nothing was written)."""
    row = await statement(alone=alone)
    if alone and row is not None and row["scan_id"] is None and row["event_cme_enabled"]:
        return None
    answer, announcements = await judge(row, alone=alone)
    for name, payload in announcements:
        await emit(name, **payload)
    return answer


async def _judge(row: dict | None, *, token: str, key: tokens.EventKey, lst: ListInfo, attendee_id: int,
                 direction: str, now: datetime, alone: bool) -> tuple[tuple[dict | None, Outcome], list]:
    """The answer to the door statement's `row`, and what an accepted scan announces to the
    listeners ([] or [(name, payload)]; the caller emits it, in the statement's transaction
    unless it ran `alone`)."""
    outcome = _explain(token, key, row)
    if row is not None and row["scan_id"] is not None:
        if outcome.result != OK:  # the SQL rule and standing() disagree: keep nothing
            if alone:
                await CheckinScan.delete().where(CheckinScan.id == row["scan_id"])
            raise RuntimeError(f"check-in rule mismatch for attendee {attendee_id}")
        return (row, outcome), [announcement(lst, attendee_id, direction, now, event={
            "cme_enabled": row["event_cme_enabled"], "timezone": row["event_timezone"]})]
    return (row, outcome), []


def _explain(token: str, key: tokens.EventKey, row: dict | None) -> Outcome:
    verdict = tokens.verify(token, key=key, current_version=row["token_version"] if row else None)
    if verdict.verdict is tokens.Verdict.invalid:
        return Outcome(INVALID, "This badge does not verify.")
    if verdict.verdict is tokens.Verdict.revoked:
        return Outcome(REVOKED, "This badge was replaced or cancelled.", row["id"], display_name(row))
    result, notes, message = standing(row)
    return Outcome(result, message, row["id"], display_name(row), row["category"], notes)


async def insert_scan(device: Device, lst: ListInfo, attendee_id: int, direction: str, at: datetime,
                  nonce_key: str, once_key: str, *, offline: bool, manual: bool = False) -> int | None:
    return await insert_or_ignore(CheckinScan(
        checkin_list=lst.id, attendee=attendee_id, device=device.id, station=device.name,
        direction=direction, scanned_at=at, received_at=clock.now(), offline=offline, manual=manual,
        nonce_key=nonce_key, once_key=once_key,
    ))


async def announce(lst: ListInfo, attendee_id: int, direction: str, at: datetime, event: dict | None = None) -> None:
    """Tell the other areas (CME evidence) about an accepted scan, inside its transaction;
    `event`: the event's facts the scan already read, if it did (see extension.py)."""
    name, payload = announcement(lst, attendee_id, direction, at, event)
    await emit(name, **payload)


def announcement(lst: ListInfo, attendee_id: int, direction: str, at: datetime, event: dict | None = None
                 ) -> tuple[str, dict]:
    """The (name, payload) that `announce` emits."""
    if lst.kind == ListKind.session.value:
        return "session_scan_accepted", dict(attendee_id=attendee_id, session_id=lst.session_id,
                                             direction=direction, scanned_at=at, list_id=lst.id)
    return "entry_scan_accepted", dict(attendee_id=attendee_id, event_id=lst.event_id, scanned_at=at,
                                       list_id=lst.id, event=event)


async def _answer(outcome: Outcome, scan_id: int | None, now: datetime, station: str, nonce_key: str,
                  once_key: str) -> Outcome:
    """A person who may come in: checked in now (`scan_id`, the row just inserted), or the insert
    collided: the same request again (same nonce: same answer) or a repeat."""
    if scan_id is not None:
        outcome.scan_id, outcome.checked_in_at, outcome.station = scan_id, now, station
        return outcome
    same = await CheckinScan.select(CheckinScan.id, CheckinScan.scanned_at, CheckinScan.station).where(
        CheckinScan.nonce_key == nonce_key).first()
    if same is not None:
        outcome.scan_id, outcome.checked_in_at, outcome.station = same["id"], same["scanned_at"], same["station"]
        return outcome
    first = await CheckinScan.select(CheckinScan.id, CheckinScan.scanned_at, CheckinScan.station).where(
        CheckinScan.once_key == once_key).first()
    outcome.result = ALREADY
    if first is not None:
        outcome.scan_id, outcome.checked_in_at, outcome.station = first["id"], first["scanned_at"], first["station"]
        outcome.message = f"Already checked in at {first['station']}."
    return outcome


async def undo_last(device: Device) -> dict | None:
    """Undo this device's most recent check-in (a mis-scan at the door); None if there is none.

    The row stays, marked undone, so the log shows what happened; the person can be scanned again.
    """
    async with transaction():
        last = await CheckinScan.select(CheckinScan.id, CheckinScan.attendee, CheckinScan.checkin_list,
                                        CheckinScan.direction, CheckinScan.scanned_at,
                                        CheckinScan.checkin_list.event.as_alias("event_id"),
                                        CheckinScan.checkin_list.session.as_alias("session_id")).where(
            (CheckinScan.device == device.id) & CheckinScan.undone_at.is_null()
        ).order_by(CheckinScan.id, ascending=False).first()
        if last is None:
            return None
        await CheckinScan.update({CheckinScan.undone_at: clock.now(), CheckinScan.once_key: None}).where(
            CheckinScan.id == last["id"])
        # Whatever the scan fed (CME evidence) is withdrawn in the same transaction.
        await emit("scan_undone", attendee_id=last["attendee"], event_id=last["event_id"],
                   list_id=last["checkin_list"], session_id=last["session_id"], direction=last["direction"],
                   scanned_at=last["scanned_at"])
    return last


async def search(event_id: int, list_id: int, q: str, limit: int = 20) -> list[dict]:
    """People without their badge: by name (or e-mail), with whether they are in on this list."""
    from confops.registration.staff import search as registration_search

    if len((q or "").strip()) < 2:
        return []
    rows = (await registration_search(event_id, q, size=limit)).rows
    ids = [r["id"] for r in rows]
    done = {} if not ids else {s["attendee"]: s for s in await CheckinScan.select(
        CheckinScan.attendee, CheckinScan.scanned_at, CheckinScan.station).where(
        (CheckinScan.checkin_list == list_id) & CheckinScan.attendee.is_in(ids) & CheckinScan.once_key.is_not_null()
        & (CheckinScan.direction == "in"))}
    return [{
        "attendee_id": r["id"], "name": f"{r['first_name']} {r['last_name']}", "institution": r["institution"],
        "category": r["category_label"], "status": r["status"], "order_status": r["order_status"],
        "checked_in_at": done[r["id"]]["scanned_at"] if r["id"] in done else None,
        "station": done[r["id"]]["station"] if r["id"] in done else "",
    } for r in rows]


async def conflicts_of(event_id: int, include_resolved: bool = False) -> list[dict]:
    where = CheckinConflict.checkin_list.event == event_id
    if not include_resolved:
        where &= CheckinConflict.resolved_at.is_null()
    return await CheckinConflict.select(
        *CheckinConflict.all_columns(), CheckinConflict.checkin_list.name.as_alias("list_name"),
        CheckinConflict.attendee.first_name.as_alias("first_name"),
        CheckinConflict.attendee.last_name.as_alias("last_name"),
        CheckinConflict.winner.station.as_alias("winner_station"),
        CheckinConflict.winner.scanned_at.as_alias("winner_scanned_at"),
    ).where(where).order_by(CheckinConflict.id)

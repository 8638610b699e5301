"""Scanning a badge, read top to bottom in `scan`: the badge's tag checked (no query), then the
engine's door reads the person, records the check-in if they may come in (admission.py: the
rule, in Python and in SQL side by side) and tells the listeners, then the answer.

Two doors, chosen once per database engine (`door()`): on SQLite a transaction (read, decide,
insert, announce); on PostgreSQL one statement that reads and inserts together, with the scans
the process has waiting (fast_scan.py). The device, the list and the event key come from
short-lived caches (devices.py). "First scan wins" and "a retried request is a no-op" are the
two unique columns of CheckinScan, so two workers scanning the same badge at the same instant
cannot both win.

Every accepted scan emits "entry_scan_accepted" or "session_scan_accepted" inside the scan's
transaction (confops/core/extension.py): CME evidence commits or rolls back with the scan. The
one exception is the entry of an event without CME on PostgreSQL, where no listener writes:
there the statement commits on its own, and the listeners hear of it just after. An offline
scan that turns out earlier than the recorded one is announced again with its earlier time;
undoing a scan emits "scan_undone" inside the undo's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

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
    """Who this is and whether they may come in (nothing is written): the outcome, and the
    person's row unless the badge or the id named nobody."""
    if token is None:  # found by name at the desk: staff vouch for the person, not a badge
        row = await person(device.event_id, attendee_id or 0)
    else:
        claims = badge_claims(device, key, token)
        if isinstance(claims, Outcome):
            return claims, None
        row = await person(device.event_id, claims.attendee_id)
    outcome = _explain(token, key, row)
    return outcome, row if outcome.attendee_id is not None else None


async def scan(device: Device, lst: ListInfo, key: tokens.EventKey, *, nonce: str, token: str | None = None,
               attendee_id: int | None = None, direction: str = "in") -> Outcome:
    """An online scan: the badge's tag checked (no query for a forgery), then the engine's door
    (`door()`) reads the person and records the check-in if they may come in (admission.py),
    then the answer. Given ``attendee_id`` instead of a badge, a desk check-in by name."""
    check_input(nonce, direction, lst)
    if token is None:  # staff vouch for the person, not a badge
        outcome = await TransactionDoor().record(_attempt(device, lst, None, None, attendee_id or 0, 0, direction, nonce))
    else:
        attempt = _by_badge(device, lst, key, token, direction, nonce)
        outcome = attempt if isinstance(attempt, Outcome) else await door().record(attempt)
    outcome.list_id, outcome.direction = lst.id, direction
    return outcome


@dataclass
class Attempt:
    """One scan on its way to the door: who it says it is and everything its row needs."""
    device: Device
    lst: ListInfo
    key: tokens.EventKey
    token: str | None  # None: found by name at the desk
    attendee_id: int
    token_version: int  # the badge's (a desk check-in has none)
    direction: str
    now: datetime
    nonce_key: str
    once_key: str

    def values(self) -> dict:
        """The door statement's arguments (fast_scan.lookup_and_insert)."""
        return dict(event_id=self.device.event_id, attendee_id=self.attendee_id, token_version=self.token_version,
                    list_id=self.lst.id, device_id=self.device.id, station=self.device.name,
                    direction=self.direction, at=self.now, nonce_key=self.nonce_key, once_key=self.once_key)

    def judge(self, row: dict | None) -> tuple[Outcome, list[tuple[str, dict]]]:
        """The answer to the door statement's `row`, and what an accepted scan announces to the
        listeners. The statement inserted by admission.MAY_COME_IN; this explains it by
        admission.standing(), and a disagreement keeps nothing (RuleMismatch)."""
        outcome = _explain(self.token, self.key, row)
        if row is None or row["scan_id"] is None:
            return outcome, []
        if outcome.result != OK:
            raise RuleMismatch(row["scan_id"], self.attendee_id)
        return outcome, [announcement(self.lst, self.attendee_id, self.direction, self.now, event={
            "cme_enabled": row["event_cme_enabled"], "timezone": row["event_timezone"]})]

    async def answer(self, outcome: Outcome, scan_id: int | None) -> Outcome:
        if outcome.result != OK:
            return outcome
        return await _answer(outcome, scan_id, self.now, self.device.name, self.nonce_key, self.once_key)


class RuleMismatch(RuntimeError):
    """The SQL form of the admission rule let someone in whom its Python form refuses."""

    def __init__(self, scan_id: int, attendee_id: int) -> None:
        super().__init__(f"check-in rule mismatch for attendee {attendee_id}")
        self.scan_id = scan_id


def _by_badge(device: Device, lst: ListInfo, key: tokens.EventKey, token: str, direction: str,
              nonce: str) -> Attempt | Outcome:
    claims = badge_claims(device, key, token)
    if isinstance(claims, Outcome):
        return claims
    return _attempt(device, lst, key, token, claims.attendee_id, claims.token_version, direction, nonce)


def badge_claims(device: Device, key: tokens.EventKey, token: str) -> tokens.Claims | Outcome:
    """The badge's claims when its tag verifies, else the refusal; no query, so a forged or
    mistyped badge costs none, and its attendee number (any 32-bit value) is never looked up."""
    parsed = tokens.parse(token)
    if parsed is None:
        return Outcome(INVALID, "This is not a badge of ours.")
    claims = parsed[0]
    if claims.event_id != device.event_id:
        return Outcome(WRONG_EVENT, "This badge is for another event.")
    signed = tokens.verify(token, key=key, current_version=claims.token_version).verdict
    if signed is tokens.Verdict.invalid or claims.attendee_id > MAX_ROW_ID:
        return Outcome(INVALID, "This badge does not verify.")
    if signed is tokens.Verdict.revoked:  # signed by a key rotated out since
        return Outcome(REVOKED, "This badge was replaced or cancelled.")
    return claims


def _attempt(device: Device, lst: ListInfo, key: tokens.EventKey | None, token: str | None, attendee_id: int,
             token_version: int, direction: str, nonce: str) -> Attempt:
    nonce_key, once_key = _keys(device, lst, attendee_id, direction, nonce)
    return Attempt(device, lst, key, token, attendee_id, token_version, direction, clock.now(), nonce_key, once_key)


class Door(Protocol):
    async def record(self, attempt: Attempt) -> Outcome:
        """Read the person, record the check-in if they may come in, tell the listeners (in
        the check-in's transaction), and answer."""


class TransactionDoor:
    """SQLite (no INSERT inside WITH), and a desk check-in by name on either engine: the person
    read, admission.standing() asked, and an accepted scan inserted and announced in one
    transaction."""

    async def record(self, attempt: Attempt) -> Outcome:
        row = await person(attempt.device.event_id, attempt.attendee_id)
        outcome = _explain(attempt.token, attempt.key, row)
        if outcome.result != OK:
            return outcome
        async with transaction():
            made = await insert_scan(attempt.device, attempt.lst, attempt.attendee_id, attempt.direction,
                                     attempt.now, attempt.nonce_key, attempt.once_key, offline=False,
                                     manual=attempt.token is None)
            if made is not None:
                await announce(attempt.lst, attempt.attendee_id, attempt.direction, attempt.now)
        return await attempt.answer(outcome, made)


class StatementDoor:
    """PostgreSQL: one statement reads the person and inserts the check-in where
    admission.MAY_COME_IN holds (fast_scan.py), with the scans the process has waiting:

    - at the entry of an event without CME nobody writes with the scan, so the statement runs
      alone, committing itself (one round trip instead of BEGIN, statement, COMMIT);
    - elsewhere (a session list, or CME, which records attendance with the scan) it runs in
      one transaction with the waiting scans' listeners (fast_scan.with_listeners);
    - inside a caller's transaction, or when the shared transaction failed, on its own in a
      transaction, so an error stays with the scan it belongs to."""

    async def record(self, attempt: Attempt) -> Outcome:
        done = None
        if attempt.lst.kind != ListKind.session.value and not await devices.event_awards_cme(attempt.device.event_id):
            done = await self._alone(attempt)
            if done is None:
                devices.forget_event_awards_cme(attempt.device.event_id)  # CME was switched on a moment ago
        if done is None:
            done = await fast_scan.with_listeners(attempt.judge, **attempt.values())
        if done is None:
            async with transaction():
                done = await self._in_transaction(attempt)
        row, outcome = done
        return await attempt.answer(outcome, row["scan_id"] if row else None)

    @staticmethod
    async def _alone(attempt: Attempt) -> tuple[dict | None, Outcome] | None:
        """None when the event awards CME after all (the statement inserted nothing)."""
        row = await fast_scan.lookup_and_insert(**attempt.values(), alone=True)
        if row is not None and row["scan_id"] is None and row["event_cme_enabled"]:
            return None
        try:
            outcome, announcements = attempt.judge(row)
        except RuleMismatch as mismatch:  # the statement committed on its own: take it back
            await CheckinScan.delete().where(CheckinScan.id == mismatch.scan_id)
            raise
        for name, payload in announcements:
            await emit(name, **payload)
        return row, outcome

    @staticmethod
    async def _in_transaction(attempt: Attempt) -> tuple[dict | None, Outcome]:
        row = await fast_scan.lookup_and_insert(**attempt.values())
        outcome, announcements = attempt.judge(row)
        for name, payload in announcements:
            await emit(name, **payload)
        return row, outcome


_DOORS: dict[int, tuple[object, Door]] = {}  # id(engine) -> (the engine, kept alive; its door)


def door() -> Door:
    """The engine's door, chosen on its first scan (tests switch engines in one process)."""
    engine = current_engine()
    kept, chosen = _DOORS.get(id(engine), (None, None))
    if kept is not engine or chosen is None:
        chosen = TransactionDoor() if is_sqlite(engine) else StatementDoor()
        _DOORS[id(engine)] = (engine, chosen)
    return chosen


def _explain(token: str | None, key: tokens.EventKey | None, row: dict | None) -> Outcome:
    """The answer for the person's `row` (None: nobody by that id at this event): the badge
    checked against their current token version, then admission.standing()."""
    if token is None:
        if row is None:
            return Outcome(INVALID, "No such person at this event.")
    else:
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

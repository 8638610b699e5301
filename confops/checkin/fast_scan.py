"""The door's happy path on PostgreSQL in one statement: look the person up and record the
check-in together (a data-modifying CTE).

Why: at a busy door the database round trips are the cost. The transaction door
(scanning.TransactionDoor) reads the person, then inserts: BEGIN, SELECT, INSERT, COMMIT. Here
the INSERT runs only when the row says the person may come in (admission.MAY_COME_IN, the SQL
form of admission.standing()), and the statement returns the person either way so the answer
can be explained (scanning.StatementDoor). SQLite has no INSERT inside WITH, so it keeps the
transaction door.

`alone=True` is the statement run on its own, with no BEGIN and COMMIT around it (a single
statement is its own transaction): then it inserts only at an event without CME, where no
listener writes anything with the scan. At a CME event it inserts nothing and says so
(``event_cme_enabled``), and the caller runs it again inside a transaction with the listeners.
Alone, the scans a process has waiting go together in one statement (see lookup_and_insert);
in a transaction, they go together with their listeners in one transaction (with_listeners).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from confops.checkin.admission import MAY_COME_IN, PERSON_COLUMNS, PERSON_FROM
from confops.checkin.tables import CheckinScan
from confops.core.batching import Batches, Entry, settle
from confops.core.extension import emit_many
from confops.db import raw, readers_may_share, transaction

_INSERT = (
    " INSERT INTO checkin_scan (checkin_list, attendee, device, station, direction, scanned_at, received_at,"
    " offline, manual, nonce_key, once_key)"
)
_SQL = (
    "WITH p AS (SELECT" + PERSON_COLUMNS + PERSON_FROM + " WHERE a.id = {} AND a.event = {}"
    "), ins AS (" + _INSERT + " SELECT {}, p.id, {}, {}, {}, {}, {}, false, false, {}, {} FROM p"
    " WHERE p.token_version = {} AND" + MAY_COME_IN + "{alone} ON CONFLICT DO NOTHING RETURNING id"
    ") SELECT p.*, (SELECT id FROM ins) AS scan_id FROM p"
)
_SQL_IN_TRANSACTION = _SQL.replace("{alone}", "")
_SQL_ALONE = _SQL.replace("{alone}", " AND NOT p.event_cme_enabled")


# The same statement for the scans a process has waiting (see lookup_and_insert): the scans go
# as arrays, one row each (`s`, numbered by arrival), each person found by its own index lookup
# (LATERAL; OFFSET 0 keeps PostgreSQL from turning it into a join that may read every attendee
# when its statistics are thin or old), the check-ins inserted in arrival order. Two scans of
# one person in a batch: the first is inserted and the second collides with it, exactly as if
# they had come one after the other. Alone, at a CME event nothing is inserted and each caller
# goes on its own.
_BATCH = (
    "WITH s AS (SELECT * FROM unnest({}::int[], {}::int[], {}::int[], {}::int[], {}::int[], {}::text[],"
    " {}::text[], {}::timestamptz[], {}::text[], {}::text[]) WITH ORDINALITY"
    " AS s(attendee_id, event_id, scanned_version, list_id, device_id, station, direction, at, nonce_key,"
    " once_key, n)"
    "), p AS ("
    " SELECT s.*, q.* FROM s CROSS JOIN LATERAL (SELECT" + PERSON_COLUMNS + PERSON_FROM
    + " WHERE a.id = s.attendee_id AND a.event = s.event_id OFFSET 0) q"
    "), ins AS (" + _INSERT +
    " SELECT p.list_id, p.id, p.device_id, p.station, p.direction, p.at, p.at, false, false, p.nonce_key,"
    " p.once_key FROM p WHERE p.token_version = p.scanned_version AND" + MAY_COME_IN + "{alone}"
    " ORDER BY p.n ON CONFLICT DO NOTHING RETURNING id, nonce_key"
    ") SELECT p.*, ins.id AS scan_id FROM p LEFT JOIN ins ON ins.nonce_key = p.nonce_key"
)
_BATCH_ALONE = _BATCH.replace("{alone}", " AND NOT p.event_cme_enabled")
_BATCH_IN_TRANSACTION = _BATCH.replace("{alone}", "")
_ORDER = ("attendee_id", "event_id", "token_version", "list_id", "device_id", "station", "direction", "at",
          "nonce_key", "once_key")


async def lookup_and_insert(*, event_id: int, attendee_id: int, token_version: int, list_id: int, device_id: int,
                            station: str, direction: str, at: datetime, nonce_key: str, once_key: str,
                            alone: bool = False) -> dict | None:
    """The person's row plus ``scan_id`` (None when nothing was inserted) and the event's
    ``event_cme_enabled`` and ``event_timezone`` (handed to the scan's listeners, which would
    otherwise read the event again inside the transaction); None if no such person.

    Run `alone` outside a transaction, the statement goes with the scans the process has waiting
    (the queue of confops/core/batching.py: a scan that finds nobody ahead goes at once, and
    those arriving while it runs go together in the next statement). Why: at a busy door each
    scan's statement cost PostgreSQL more for being a statement (executor start, the round
    trip, a commit and its WAL flush, its backend waiting on the WAL lock behind thirty others)
    than for its row; see bench/README.md. If the shared statement fails, each of its scans
    runs again on its own, so one scan's error (a list deleted a moment ago) stays its own."""
    scan = {"attendee_id": attendee_id, "event_id": event_id, "token_version": token_version, "list_id": list_id,
            "device_id": device_id, "station": station, "direction": direction, "at": at,
            "nonce_key": nonce_key, "once_key": once_key}
    if alone and readers_may_share(CheckinScan):
        done = await SCANS.submit(scan, together=None)
        if done is not None:  # None: the shared statement failed; run it alone and raise what it raises
            return done[0]
    rows = await raw(CheckinScan, _SQL_ALONE if alone else _SQL_IN_TRANSACTION, attendee_id, event_id, list_id,
                     device_id, station, direction, at, at, nonce_key, once_key, token_version)
    return rows[0] if rows else None


async def with_listeners(judge: Callable[[dict | None], tuple[Any, list]], **scan) -> tuple[dict | None, Any] | None:
    """The statement in a transaction with what the scan announces to the listeners (which
    write with it: CME evidence), shared with the scans the process has waiting: one
    transaction, one statement for all their rows, then each scan's `judge(row)` in arrival
    order, which answers (outcome, [(name, payload) to emit]), then the announcements of them
    all at once (extension.emit_many: CME writes the evidence of the batch in one statement),
    one commit. Returns (row, outcome); None if the shared transaction failed and was rolled
    back (a listener raised for one of them, say): the caller then runs its scan on its own, in
    its own transaction, so an error stays with the scan it belongs to.

    Why: at the door of a meeting that awards CME (the society's own) each scan would be BEGIN,
    the statement, the evidence, COMMIT: four round trips and a WAL flush a scan."""
    if not readers_may_share(CheckinScan):  # inside a transaction already: no company
        return None
    done = await WITH_LISTENERS.submit((scan, judge), together=None)
    return None if done is None else done[0]


async def _write(batch: list[Entry]) -> None:
    """One statement for the waiting scans; each gets (its row or None,). Left unsettled (each
    runs on its own) if the statement fails."""
    try:
        rows = await _batch_rows(_BATCH_ALONE, [e.item for e in batch])
    except Exception:  # noqa: BLE001 - every scan of the batch is run again alone and raises its own error
        return
    settle(batch, lambda e: (rows[id(e.item)],))


async def _write_with_listeners(batch: list[Entry]) -> None:
    """One transaction for the waiting scans and their listeners; each gets ((its row, what its
    `judge` answered),). Left unsettled (each runs on its own) if anything in it fails."""
    outcomes, announcements = {}, []
    try:
        async with transaction():
            rows = await _batch_rows(_BATCH_IN_TRANSACTION, [e.item[0] for e in batch])
            for entry in batch:
                scan, judge = entry.item
                row = rows[id(scan)]
                outcome, said = judge(row)
                outcomes[id(entry)] = (row, outcome)
                announcements += said
            await emit_many(announcements)
    except Exception:  # noqa: BLE001 - rolled back; every scan is run again alone and raises its own error
        return
    settle(batch, lambda e: (outcomes[id(e)],))


async def _batch_rows(sql: str, scans: list[dict]) -> dict[int, dict | None]:
    """{id(scan): its row or None} from one statement for all of them."""
    rows = await raw(CheckinScan, sql, *([scan[k] for scan in scans] for k in _ORDER))
    found = {row.pop("n"): row for row in rows}
    counted: set[int] = set()
    for n in sorted(found):  # the same nonce twice in a batch: the first is the check-in, the
        row = found[n]  # second its repeat (answered as a repeat, not announced again)
        if row["scan_id"] in counted:
            row["scan_id"] = None
        elif row["scan_id"] is not None:
            counted.add(row["scan_id"])
    return {id(scan): found.get(n) for n, scan in enumerate(scans, 1)}


SCANS = Batches(_write, most=64)
WITH_LISTENERS = Batches(_write_with_listeners, most=64)

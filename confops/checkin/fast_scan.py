"""The door's happy path on PostgreSQL in one statement: look the person up and record the
check-in together (a data-modifying CTE).

Why: at a busy door the database round trips are the cost (bench/checkin_scan.py). The general
path (scanning.scan) reads the person, then inserts: BEGIN, SELECT, INSERT, COMMIT. Here the
INSERT runs only when the row says the person may come in, the same rule as
scanning.standing() written as SQL (tests run every outcome on both engines, so the two stay
equal), and the statement returns the person either way so the answer can be explained.
SQLite has no INSERT inside WITH, so it keeps the general path.

`alone=True` is the statement run on its own, with no BEGIN and COMMIT around it (a single
statement is its own transaction): then it inserts only at an event without CME, where no
listener writes anything with the scan. At a CME event it inserts nothing and says so
(``event_cme_enabled``), and the caller runs it again inside a transaction with the listeners.
"""

from __future__ import annotations

from datetime import datetime

from confops.checkin.tables import CheckinScan
from confops.db import raw

_SQL = (
    "WITH p AS ("
    " SELECT a.id, a.first_name, a.last_name, a.badge_name, a.status, a.token_version, a.accessibility,"
    " c.label AS category, o.status AS order_status, o.total_cents, o.currency,"
    " e.cme_enabled AS event_cme_enabled, e.timezone AS event_timezone,"
    " (SELECT COALESCE(SUM(x.amount_cents), 0) FROM payment x WHERE x.\"order\" = o.id"
    "  AND x.status = 'succeeded') AS paid_cents,"
    " (SELECT COALESCE(SUM(r.amount_cents), 0) FROM refund r WHERE r.\"order\" = o.id) AS refunded_cents"
    " FROM registration_attendee a JOIN registration_order o ON o.id = a.\"order\""
    " JOIN registration_category c ON c.id = a.category JOIN event e ON e.id = a.event"
    " WHERE a.id = {} AND a.event = {}"
    "), ins AS ("
    " INSERT INTO checkin_scan (checkin_list, attendee, device, station, direction, scanned_at, received_at,"
    " offline, manual, nonce_key, once_key)"
    " SELECT {}, p.id, {}, {}, {}, {}, {}, false, false, {}, {} FROM p"
    " WHERE p.token_version = {} AND p.status = 'active' AND p.order_status NOT IN ('cancelled', 'expired')"
    " AND NOT (p.paid_cents > 0 AND p.refunded_cents >= p.paid_cents AND p.total_cents > 0)"
    " AND (p.order_status = 'confirmed' OR p.total_cents <= p.paid_cents)"
    "{alone} ON CONFLICT DO NOTHING RETURNING id"
    ") SELECT p.*, (SELECT id FROM ins) AS scan_id FROM p"
)
_SQL_IN_TRANSACTION = _SQL.replace("{alone}", "")
_SQL_ALONE = _SQL.replace("{alone}", " AND NOT p.event_cme_enabled")


async def lookup_and_insert(*, event_id: int, attendee_id: int, token_version: int, list_id: int, device_id: int,
                            station: str, direction: str, at: datetime, nonce_key: str, once_key: str,
                            alone: bool = False) -> dict | None:
    """The person's row plus ``scan_id`` (None when nothing was inserted) and the event's
    ``event_cme_enabled`` and ``event_timezone`` (handed to the scan's listeners, which would
    otherwise read the event again inside the transaction); None if no such person."""
    rows = await raw(CheckinScan, _SQL_ALONE if alone else _SQL_IN_TRANSACTION, attendee_id, event_id, list_id,
                     device_id, station, direction, at, at, nonce_key, once_key, token_version)
    return rows[0] if rows else None

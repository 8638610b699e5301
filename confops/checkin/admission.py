"""Who may come in: the admission rule, once in Python and once in SQL, side by side.

The general path (scanning.scan) reads the person with PERSON_SQL and asks standing(); the
door's one-statement path on PostgreSQL (fast_scan.py) inserts the check-in only where
MAY_COME_IN holds for the same row. The two forms must agree:
tests/checkin/test_admission.py checks them against each other over generated registration,
order and payment states on both engines, so a change to one that is not made to the other
fails the suite, not a door.
"""

from __future__ import annotations

from confops.core.money import money

OK = "ok"
REVOKED = "revoked"
UNPAID = "unpaid"

# The person, their order and its balance, and their event's CME flag and timezone: one row
# from `a.id` and `a.event`.
PERSON_COLUMNS = (
    " a.id, a.first_name, a.last_name, a.badge_name, a.status, a.token_version, a.accessibility,"
    " c.label AS category, o.status AS order_status, o.total_cents, o.currency,"
    " e.cme_enabled AS event_cme_enabled, e.timezone AS event_timezone,"
    " (SELECT COALESCE(SUM(x.amount_cents), 0) FROM payment x WHERE x.\"order\" = o.id"
    "  AND x.status = 'succeeded') AS paid_cents,"
    " (SELECT COALESCE(SUM(r.amount_cents), 0) FROM refund r WHERE r.\"order\" = o.id) AS refunded_cents"
)
PERSON_FROM = (
    " FROM registration_attendee a JOIN registration_order o ON o.id = a.\"order\""
    " JOIN registration_category c ON c.id = a.category JOIN event e ON e.id = a.event"
)
PERSON_SQL = "SELECT" + PERSON_COLUMNS + PERSON_FROM + " WHERE a.id = {} AND a.event = {}"


def standing(row: dict) -> tuple[str, list[str], str]:
    """(result, notes, message) for a verified attendee from their registration and balance.

    Cancelled, transferred or fully refunded registrations are revoked (their token_version
    was bumped too, this is the belt to those braces); an order still waiting for payment is
    unpaid; a confirmed order with money still due is let in with a "balance due" note.
    """
    notes: list[str] = []
    due = max(0, row["total_cents"] - row["paid_cents"])
    if row["status"] != "active" or row["order_status"] in ("cancelled", "expired"):
        return REVOKED, notes, "This registration was cancelled or transferred."
    if row["paid_cents"] > 0 and row["refunded_cents"] >= row["paid_cents"] and row["total_cents"] > 0:
        return REVOKED, notes, "This registration was refunded."
    if due:
        notes.append(f"balance due {money(due, row['currency'])}")
    if (row["accessibility"] or "").strip():
        notes.append(f"accessibility: {row['accessibility'].strip()[:120]}")
    if row["order_status"] != "confirmed" and due:
        return UNPAID, notes, "Payment has not arrived yet: send them to the desk."
    return OK, notes, "Welcome!"


# standing(p) == OK, for a row p of PERSON_COLUMNS, as SQL.
MAY_COME_IN = (
    " p.status = 'active' AND p.order_status NOT IN ('cancelled', 'expired')"
    " AND NOT (p.paid_cents > 0 AND p.refunded_cents >= p.paid_cents AND p.total_cents > 0)"
    " AND (p.order_status = 'confirmed' OR p.total_cents <= p.paid_cents)"
)

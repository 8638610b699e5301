"""Orders placed in one PostgreSQL statement, when nothing else shares their transaction: one
order, or several of one event written together (order_batches.py), their claims summed.

Why: in a registration rush every order updates the same counter row (the event's sold
count) and holds its lock from the claim to the commit. Placed as a transaction (BEGIN, the
order, attendees, mail, accounts, claims, COMMIT: eight round trips) the lock holder was, most
of the time, "idle in transaction", waiting for its own busy worker to send COMMIT (sampled
from pg_stat_activity during bench/registration_rush.py). As one statement of data-modifying
WITH parts the order is one round trip, committed on its own, and the counter rows are locked
only while PostgreSQL runs it.

All or nothing: the statement's last column divides by the number of rows the last claim
updated. The claims are chained (each runs only once the one before found room), so if any
claim found no room that is a division by zero, and PostgreSQL rolls the whole statement back,
the earlier claims with it. The caller then decides again (order_batches.py, orders.py), at last
the long way, whose separate claims say what is full.

Locks are taken in the transaction path's order: the order rows (their unique idempotency keys,
in sorted order), the accounts by e-mail, then the counters in capacity.claim_parts' order; so the two paths
never deadlock each other. Attendees and e-mails find their order by its idempotency key, and
add-ons, answers and e-mails their attendee by its check-in code (both unique, and known here;
the ids are the database's).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from piccolo.utils.encoding import dump_json

from confops.db import raw
from confops.registration import capacity
from confops.registration.tables import Order


class ClaimRefused(Exception):
    """Some claim found no room; nothing was written."""


class _Sql:
    """Arguments for a statement written in pieces: `p(value)` stands for a value wherever it
    is written, and `finish` numbers them in the order they appear in the text."""

    def __init__(self) -> None:
        self.values: list = []

    def __call__(self, value, cast: str = "") -> str:
        self.values.append(value)
        return f"\x00{len(self.values) - 1}\x00" + (f"::{cast}" if cast else "")

    def piccolo(self, template: str, args: list) -> str:
        """A Piccolo template ("{}" placeholders) and its arguments, as pieces of this statement."""
        pieces = template.split("{}")
        assert len(pieces) == len(args) + 1
        return "".join(piece + (self(arg) if i < len(args) else "") for i, (piece, arg) in
                       enumerate(zip(pieces, [*args, None], strict=True)))

    def finish(self, sql: str) -> tuple[str, list]:
        order = [int(i) for i in _MARK.findall(sql)]
        return _MARK.sub("{}", sql), [self.values[i] for i in order]


_MARK = re.compile("\x00(\\d+)\x00")


@dataclass(frozen=True)
class NewAttendee:
    checkin_code: str
    category_id: int
    fields: dict  # column -> value (first_name, last_name, …, email, price_cents)
    addons: list[tuple[int, int, int]]  # (add-on id, quantity, price cents)
    answers: list[tuple[int, str]]  # (question id, value)


@dataclass(frozen=True)
class Confirmation:
    """The confirmation e-mails, as emails.queue_confirmation writes them: `recipients` are
    (address, the check-in code of the attendee it is for, or None for the buyer)."""
    renderer: str
    subject: str
    dedupe: str
    token: str
    recipients: list[tuple[str, str | None]]


_ATTENDEE_TEXT = ("first_name", "last_name", "badge_name", "credentials", "pronouns", "institution", "city_region",
                  "profession", "dietary", "accessibility", "email")


@dataclass(frozen=True)
class NewOrder:
    """One order's rows: `columns` of the order (order_columns; its idempotency key is how the
    statement finds it again), its attendees, the accounts it needs, its confirmation."""
    columns: dict
    attendees: list[NewAttendee]
    accounts: list[tuple[str, str]]
    mail: Confirmation | None

    @property
    def key(self) -> str:
        return self.columns["idempotency_key"]


async def place(orders: list[NewOrder], *, claims: list[capacity.Claim],
                now: datetime) -> dict[str, tuple[int, datetime | None]]:
    """Insert the orders (one or more of the same event) with everything they need and claim,
    at once, the places they take together (`claims`: their sums); per idempotency key, (order
    id, expires_at). ClaimRefused when a claim found no room; a repeated idempotency key raises
    the database's unique violation; either way nothing at all was written."""
    if not claims:
        raise ValueError("an order claims at least its categories")
    if len({o.columns["event"] for o in orders}) != 1 or len({tuple(o.columns) for o in orders}) != 1:
        raise ValueError("orders placed together are of one event and have the same columns")
    orders = sorted(orders, key=lambda o: o.key)  # two batches with a key in common wait, never deadlock
    p = _Sql()
    columns = list(orders[0].columns)
    values = ", ".join("(" + ", ".join(p(o.columns[c]) for c in columns) + ")" for o in orders)
    parts = [f"o AS (INSERT INTO registration_order ({', '.join(columns)}) VALUES {values} "
             "RETURNING id, expires_at, idempotency_key)"]
    accounts: dict[str, str] = {}
    for o in orders:
        for email, name in o.accounts:
            accounts.setdefault(email, name)
    if accounts:  # sorted by e-mail: two group orders with the same people wait, never deadlock
        rows = ", ".join(f"({p(email, 'varchar')}, {p(name, 'varchar')})" for email, name in sorted(accounts.items()))
        parts.append("acct AS (INSERT INTO account_user (email, display_name, password_hash, active, created_at) "
                     f"SELECT v.email, v.name, '', true, {p(now)} FROM (VALUES {rows}) v(email, name) "
                     "WHERE EXISTS (SELECT 1 FROM o) ORDER BY v.email ON CONFLICT (email) DO NOTHING RETURNING 1)")
    first_after = "(SELECT count(*) FROM acct) >= 0" if accounts else "EXISTS (SELECT 1 FROM o)"
    parts.append(p.piccolo(*capacity.chained(claims, first_after=first_after)))
    last = claims[-1].name
    everyone = [(o.key, a) for o in orders for a in o.attendees]
    people = ", ".join(
        f"({n}, {p(key, 'varchar')}, {p(a.checkin_code, 'varchar')}, {p(a.category_id, 'int')}, "
        + ", ".join(p(a.fields[c], "text") for c in _ATTENDEE_TEXT) + f", {p(a.fields['price_cents'], 'int')})"
        for n, (key, a) in enumerate(everyone))
    parts.append(
        f"a AS (INSERT INTO registration_attendee (\"order\", event, checkin_code, category, {', '.join(_ATTENDEE_TEXT)}"
        f", price_cents) SELECT o.id, {p(orders[0].columns['event'], 'int')}, v.checkin_code, v.category, "
        f"{', '.join('v.' + c for c in _ATTENDEE_TEXT)}, v.price_cents FROM (VALUES {people}) "
        f"v(n, key, checkin_code, category, {', '.join(_ATTENDEE_TEXT)}, price_cents) "
        f"JOIN o ON o.idempotency_key = v.key WHERE EXISTS (SELECT 1 FROM {last}) ORDER BY v.n "
        "RETURNING id, checkin_code)")
    addons = [(a.checkin_code, *x) for _, a in everyone for x in a.addons]
    if addons:
        parts.append(_per_attendee(p, "ao", "attendee_add_on",
                                   (("addon", "int"), ("quantity", "int"), ("price_cents", "int")), addons))
    answers = [(a.checkin_code, *x) for _, a in everyone for x in a.answers]
    if answers:
        parts.append(_per_attendee(p, "an", "registration_answer", (("question", "int"), ("value", "text")), answers))
    mails = [(o.key, o.mail, to, code) for o in orders if o.mail is not None for to, code in o.mail.recipients]
    if mails:
        rows = ", ".join(
            f"({n}, {p(key, 'varchar')}, {p(mail.dedupe, 'text')}, {p(mail.renderer, 'text')}, "
            f"{p(mail.subject[:300], 'varchar')}, {p(mail.token, 'text')}, {p(to, 'varchar')}, "
            f"{p(to.lower(), 'text')}, {p(code, 'varchar')})"
            for n, (key, mail, to, code) in enumerate(mails))
        parts.append(
            "mail AS (INSERT INTO outbox_message (dedupe_key, to_address, subject, payload, next_attempt_at, "
            "last_error) SELECT v.dedupe || ':' || o.id || ':' || v.lowered, v.address, v.subject, "
            "json_build_object('renderer', v.renderer, 'params', json_build_object('order_id', o.id, "
            f"'token', v.token, 'attendee_id', a.id))::text, {p(now)}, '' "
            f"FROM (VALUES {rows}) v(n, key, dedupe, renderer, subject, token, address, lowered, code) "
            "JOIN o ON o.idempotency_key = v.key LEFT JOIN a ON a.checkin_code = v.code "
            "WHERE EXISTS (SELECT 1 FROM a) ORDER BY v.n ON CONFLICT DO NOTHING)")
    sql = (f"WITH {', '.join(parts)} SELECT o.idempotency_key, o.id, o.expires_at, "
           f"1 / (SELECT count(*) FROM {last})::int AS all_claimed FROM o")
    text, args = p.finish(sql)
    try:
        rows = await raw(Order, text, *args)
    except asyncpg.exceptions.DivisionByZeroError:
        raise ClaimRefused from None
    return {row["idempotency_key"]: (row["id"], row["expires_at"]) for row in rows}


def _per_attendee(p: _Sql, name: str, table: str, columns: tuple[tuple[str, str], ...], rows: list[tuple]) -> str:
    """A WITH part inserting rows of an attendee inserted by `a` (found by check-in code), in the
    order given: each row is (check-in code, *values of `columns`, given as (name, cast))."""
    names = ", ".join(c for c, _ in columns)
    values = ", ".join(
        f"({n}, {p(code, 'varchar')}, " + ", ".join(p(v, cast) for v, (_, cast) in zip(rest, columns, strict=True)) + ")"
        for n, (code, *rest) in enumerate(rows))
    return (f"{name} AS (INSERT INTO {table} (attendee, {names}) SELECT a.id, "
            f"{', '.join('v.' + c for c, _ in columns)} FROM a JOIN (VALUES {values}) v(n, code, {names}) "
            "ON v.code = a.checkin_code ORDER BY v.n)")


def order_columns(**columns) -> dict:
    """The order row's columns, its pricing snapshot as the JSON text Piccolo would store."""
    if isinstance(columns.get("pricing_snapshot"), dict):
        columns["pricing_snapshot"] = dump_json(columns["pricing_snapshot"])
    return columns

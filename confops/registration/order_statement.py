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

import functools
import re
from dataclasses import dataclass
from datetime import datetime

import asyncpg
from piccolo.columns import JSON, Boolean, ForeignKey, Integer, Text, Timestamptz, Varchar
from piccolo.utils.encoding import dump_json

from confops.accounts import link_accounts
from confops.core import outbox
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
                  "profession", "dietary", "accessibility", "email", "name_key", "name_search", "search_text")


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
    kinds = _order_kinds(tuple(columns))
    rows = _unnest(p, [(c, kinds[c][0]) for c in columns], [[o.columns[c] for c in columns] for o in orders])
    parts = [f"o AS (INSERT INTO registration_order ({', '.join(columns)}) "
             f"SELECT {', '.join(f'v.{c}{kinds[c][1]}' for c in columns)} FROM {rows} "
             "ORDER BY v.n RETURNING id, expires_at, idempotency_key)"]
    accounts: dict[str, str] = {}
    for o in orders:
        for email, name in o.accounts:
            accounts.setdefault(email, name)
    if accounts:
        people = _unnest(p, [("email", "text"), ("name", "text")], sorted(accounts.items()))
        parts.append(f"acct AS ({link_accounts.insert_sql(f'SELECT v.email, v.name FROM {people} WHERE EXISTS (SELECT 1 FROM o)', p(now))} "
                     "RETURNING 1)")
    first_after = "(SELECT count(*) FROM acct) >= 0" if accounts else "EXISTS (SELECT 1 FROM o)"
    parts.append(p.piccolo(*capacity.chained(claims, first_after=first_after)))
    last = claims[-1].name
    everyone = [(o.key, a) for o in orders for a in o.attendees]
    people = _unnest(p, [("key", "text"), ("checkin_code", "text"), ("category", "int"),
                         *((c, "text") for c in _ATTENDEE_TEXT), ("price_cents", "int")],
                     [[key, a.checkin_code, a.category_id, *(a.fields[c] for c in _ATTENDEE_TEXT),
                       a.fields["price_cents"]] for key, a in everyone])
    parts.append(
        f"a AS (INSERT INTO registration_attendee (\"order\", event, checkin_code, category, {', '.join(_ATTENDEE_TEXT)}"
        f", price_cents) SELECT o.id, {p(orders[0].columns['event'], 'int')}, v.checkin_code, v.category, "
        f"{', '.join('v.' + c for c in _ATTENDEE_TEXT)}, v.price_cents FROM {people} "
        f"JOIN o ON o.idempotency_key = v.key WHERE EXISTS (SELECT 1 FROM {last}) ORDER BY v.n "
        "RETURNING id, checkin_code)")
    addons = [(a.checkin_code, *x) for _, a in everyone for x in a.addons]
    if addons:
        parts.append(_per_attendee(p, "ao", "attendee_add_on",
                                   (("addon", "int"), ("quantity", "int"), ("price_cents", "int")), addons))
    answers = [(a.checkin_code, *x) for _, a in everyone for x in a.answers]
    if answers:
        parts.append(_per_attendee(p, "an", "registration_answer", (("question", "int"), ("value", "text")), answers))
    mails = [(o.key, mail.dedupe, mail.renderer, mail.subject, mail.token, to, to.lower(), code)
             for o in orders if (mail := o.mail) is not None for to, code in mail.recipients]
    if mails:
        rows = _unnest(p, [(c, "text") for c in ("key", "dedupe", "renderer", "subject", "token", "address",
                                                  "lowered", "code")], mails)
        source = (f"{rows} JOIN o ON o.idempotency_key = v.key LEFT JOIN a ON a.checkin_code = v.code "
                  "WHERE EXISTS (SELECT 1 FROM a) ORDER BY v.n")
        parts.append("mail AS (" + outbox.deferred_rows_sql(
            source=source, dedupe_key="v.dedupe || ':' || o.id || ':' || v.lowered", to="v.address",
            subject="v.subject", renderer="v.renderer", now=p(now),
            params={"order_id": "o.id", "token": "v.token", "attendee_id": "a.id"}) + ")")
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
    order given: each row is (check-in code, *values of `columns`, given as (name, type))."""
    names = ", ".join(c for c, _ in columns)
    return (f"{name} AS (INSERT INTO {table} (attendee, {names}) SELECT a.id, "
            f"{', '.join('v.' + c for c, _ in columns)} FROM a JOIN {_unnest(p, [('code', 'text'), *columns], rows)} "
            "ON v.code = a.checkin_code ORDER BY v.n)")


def _unnest(p: _Sql, columns: list[tuple[str, str]], rows: list) -> str:
    """The rows as a FROM item `v(…, n)`: one array argument per column (`columns`: name and
    element type), `n` their place in `rows`.

    Why arrays and not a VALUES list: the statement's text is then the same for a batch of any
    size, so asyncpg prepares it once per connection and keeps it. With a VALUES list every
    batch size was another statement, and one of about 32 orders or more was over asyncpg's 15 KB
    limit for keeping statements: it was prepared (a round trip, PostgreSQL parsing a thousand
    placeholders) every time, while the batch held the process's write gate."""
    arrays = ", ".join(p([row[i] for row in rows], f"{kind}[]") for i, (_, kind) in enumerate(columns))
    return f"unnest({arrays}) WITH ORDINALITY AS v({', '.join(c for c, _ in columns)}, n)"


@functools.lru_cache(maxsize=16)
def _order_kinds(columns: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """Each order column's `_element` (looked up once: Piccolo finds a column by name in a loop)."""
    return {c: _element(Order._meta.get_column_by_name(c)) for c in columns}


def _element(column) -> tuple[str, str]:
    """An order column's array element type, and the cast its value needs on the way in (JSON is
    sent as text; text goes into VARCHAR(n) by assignment, which refuses, not cuts, what is too long)."""
    if isinstance(column, (Varchar, Text)):
        return "text", ""
    if isinstance(column, JSON):
        return "text", "::json"
    if isinstance(column, (Integer, ForeignKey)):
        return "int", ""
    if isinstance(column, Boolean):
        return "bool", ""
    if isinstance(column, Timestamptz):
        return "timestamptz", ""
    raise TypeError(f"no array type for {column._meta.name} ({type(column).__name__})")


def order_columns(**columns) -> dict:
    """The order row's columns, its pricing snapshot as the JSON text Piccolo would store."""
    if isinstance(columns.get("pricing_snapshot"), dict):
        columns["pricing_snapshot"] = dump_json(columns["pricing_snapshot"])
    return columns

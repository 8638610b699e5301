"""Claiming and releasing places with conditional UPDATEs (STACK.md), never read-check-write.

Call these inside the order's transaction: a claim that finds no row means "full", and the
caller raises so the whole transaction (and every earlier claim) rolls back.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime

from confops.core.errors import Conflict
from confops.db import current_engine, insert_or_ignore, is_sqlite
from confops.events.tables import Event
from confops.registration.tables import AddOn, Category, DiscountCode, EventSales

_BIG = 2_000_000_000


async def ensure_sales(event_id: int) -> None:
    """The per-event counter row, for writes that need it (an event's first edit or order);
    created once, with a first catalog stamp, before any transaction needs it."""
    if not await EventSales.exists().where(EventSales.event == event_id):  # a read, not a write, once it is there
        await insert_or_ignore(EventSales(event=event_id, catalog_stamp=secrets.token_hex(8)))


_EVENT_CLAIM = (f"UPDATE {EventSales._meta.tablename} SET sold = sold + {{}} WHERE event = {{}} AND sold + {{}} <= "
                f"COALESCE((SELECT capacity FROM event WHERE event.id = {{}}), {_BIG}) RETURNING sold")
_CATEGORY_CLAIM = (f"UPDATE {Category._meta.tablename} SET sold = sold + {{}} WHERE id = {{}} "
                   "AND (capacity IS NULL OR sold + {} <= capacity) RETURNING id")
_ADDON_CLAIM = (f"UPDATE {AddOn._meta.tablename} SET sold = sold + {{}} WHERE id = {{}} "
                "AND (capacity IS NULL OR sold + {} <= capacity) RETURNING id")
_CODE_CLAIM = (f"UPDATE {DiscountCode._meta.tablename} SET used = used + {{}} WHERE id = {{}} "
               "AND (max_uses IS NULL OR used + {} <= max_uses) AND (expires_at IS NULL OR expires_at > {}) RETURNING id")


def _sold_out() -> Conflict:
    return Conflict("This event is sold out.", code="sold_out")


def _category_full(label: str) -> Conflict:
    return Conflict(f"The {label} category is full.", code="category_full")


def _addon_full(label: str) -> Conflict:
    return Conflict(f"{label} is full.", code="addon_full")


def _code_used_up() -> Conflict:
    return Conflict("This code has been used up or has expired.", code="code_invalid", field="code")


async def claim_event(event_id: int, n: int) -> None:
    if not await EventSales.raw(_EVENT_CLAIM, n, event_id, n, event_id):
        raise _sold_out()


async def claim_together(*, event_id: int, places: int, categories: list[tuple[int, int, str]],
                         addons: list[tuple[int, int, str]], code: tuple[int, int, datetime] | None) -> None:
    """Every claim of one order: `places` on the event, (id, count, label) per category and
    add-on, (id, uses, now) for the code; the first that does not fit raises.

    On PostgreSQL they go in one statement (data-modifying CTEs) sent last in the order's
    transaction: the counter rows are the only hot rows of a registration rush, each order
    holds their locks from its first claim to its commit, and every round trip in between
    (with a busy event loop, several ms) is time every other order waits. One statement
    instead of one per counter leaves one such wait (figures in bench/README.md). The rows are
    always locked in the same order (event, categories and add-ons by id, code: each part
    waits for the one before), so two orders never deadlock. SQLite has no UPDATE inside
    WITH, and its transactions take the write lock at BEGIN anyway, so there the claims are
    separate statements."""
    parts = claim_parts(event_id=event_id, places=places, categories=categories, addons=addons, code=code)
    if is_sqlite(current_engine()):
        for part in parts:
            if not await EventSales.raw(part.sql, *part.args):
                raise part.refusal
        return
    if not parts:
        return
    ctes, args = chained(parts)
    sql = f"WITH {ctes} SELECT " + ", ".join(f"(SELECT count(*) FROM {p.name}) AS {p.name}" for p in parts)
    [claimed] = await EventSales.raw(sql, *args)
    for part in parts:
        if not claimed[part.name]:
            raise part.refusal


@dataclass(frozen=True)
class Claim:
    """One conditional UPDATE of a counter, as a WITH part named `name` (PostgreSQL)."""
    name: str
    sql: str
    args: list
    refusal: Conflict

    def also(self, condition: str, *args) -> Claim:
        """The same claim, taken only where `condition` holds too ("{}" placeholders, `args`)."""
        return Claim(self.name, self.sql.replace(" RETURNING ", f" AND {condition} RETURNING "),
                     [*self.args, *args], self.refusal)


def claim_parts(*, event_id: int, places: int, categories: list[tuple[int, int, str]],
                addons: list[tuple[int, int, str]], code: tuple[int, int, datetime] | None,
                fingerprint: str | None = None) -> list[Claim]:
    """An order's claims in the one order every order takes its locks in: the event, the
    categories and add-ons by id, the code.

    `fingerprint` (PostgreSQL, an order priced from a kept catalog): the event's claim also
    requires the event and its sales row to be as they were when the catalog was read
    (catalog.fingerprint_sql), so the order is refused, and nothing written, after any edit."""
    parts = []
    if fingerprint is not None and not places:
        raise ValueError("a kept catalog is confirmed by the event's claim, which needs places")
    if places:
        event_claim = Claim("ev", _EVENT_CLAIM, [places, event_id, places, event_id], _sold_out())
        if fingerprint is not None:
            from confops.registration.catalog import fingerprint_sql

            event_row = f"(SELECT e FROM {Event._meta.tablename} e WHERE e.id = {{}})"
            event_claim = event_claim.also(f"{fingerprint_sql(event_row, EventSales._meta.tablename)} = {{}}",
                                           event_id, fingerprint)
        parts.append(event_claim)
    for i, (category_id, n, label) in enumerate(sorted(categories)):
        parts.append(Claim(f"c{i}", _CATEGORY_CLAIM, [n, category_id, n], _category_full(label)))
    for i, (addon_id, n, label) in enumerate(sorted(addons)):
        parts.append(Claim(f"a{i}", _ADDON_CLAIM, [n, addon_id, n], _addon_full(label)))
    if code is not None:
        code_id, uses, now = code
        parts.append(Claim("dc", _CODE_CLAIM, [uses, code_id, uses, now], _code_used_up()))
    return parts


def chained(parts: list[Claim], first_after: str = "") -> tuple[str, list]:
    """The claims as WITH parts ("ev AS (UPDATE …), c0 AS (…)") and their arguments. Each runs
    only once the one before it has its row: PostgreSQL would otherwise run the WITH parts in
    no promised order, and two orders taking the same rows in different orders could
    deadlock. After a refusal the rest take no lock at all. `first_after`: a condition the
    first claim waits for too (the statement's earlier parts)."""
    chain = []
    for i, part in enumerate(parts):
        after = f"EXISTS (SELECT 1 FROM {parts[i - 1].name})" if i else first_after
        chain.append(part.also(after) if after else part)
    return ", ".join(f"{part.name} AS ({part.sql})" for part in chain), [a for part in chain for a in part.args]


async def lock_event(event_id: int) -> None:
    """Take the event's sales row for this transaction before anything else it will change:
    places freed and given on (holds.give_back, paid_waiting) then go one transaction after
    the other, and take their locks in the order every new order does (the event first)."""
    await EventSales.raw(f"UPDATE {EventSales._meta.tablename} SET sold = sold WHERE event = {{}}", event_id)


async def release_event(event_id: int, n: int) -> None:
    if n > 0:
        await EventSales.update({EventSales.sold: EventSales.sold - n}).where(EventSales.event == event_id)


async def claim_category(category_id: int, n: int, label: str) -> None:
    if not await Category.raw(_CATEGORY_CLAIM, n, category_id, n):
        raise _category_full(label)


async def release_category(category_id: int, n: int) -> None:
    await Category.update({Category.sold: Category.sold - n}).where(Category.id == category_id)


async def claim_addon(addon_id: int, n: int, label: str) -> None:
    if not await AddOn.raw(_ADDON_CLAIM, n, addon_id, n):
        raise _addon_full(label)


async def release_addon(addon_id: int, n: int) -> None:
    await AddOn.update({AddOn.sold: AddOn.sold - n}).where(AddOn.id == addon_id)


async def release_code(code_id: int, uses: int) -> None:
    await DiscountCode.update({DiscountCode.used: DiscountCode.used - uses}).where(DiscountCode.id == code_id)


async def claim_early_bird(event_id: int, n: int) -> None:
    """Early-bird "for the first N registrants": the order priced at early-bird claims n of
    the N places in its transaction, so N is never exceeded on either engine. When the last
    early places went to someone else meanwhile the order is refused (`price_changed`) rather
    than charged a price nobody showed. Never given back on cancellation: the first N
    registrants got the price, as advertised, and the price does not flip back and forth."""
    rows = await EventSales.raw(
        "UPDATE event_sales SET early_claimed = early_claimed + {} WHERE event = {} "
        "AND early_bird_first_n IS NOT NULL AND early_claimed + {} <= early_bird_first_n RETURNING early_claimed",
        n, event_id, n,
    )
    if not rows:
        raise Conflict("The early-bird price has just ended; please review the new price.", code="price_changed")

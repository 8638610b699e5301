"""Claiming and releasing places with conditional UPDATEs (STACK.md), never read-check-write.

Call these inside the order's transaction: a claim that finds no row means "full", and the
caller raises so the whole transaction (and every earlier claim) rolls back.
"""

from __future__ import annotations

from piccolo.columns.combination import WhereRaw

from confops.core.errors import Conflict
from confops.registration.tables import AddOn, Category, DiscountCode, EventSales

_BIG = 2_000_000_000


async def ensure_sales(event_id: int) -> None:
    """The per-event counter row; created once, before any transaction needs it."""
    if await EventSales.exists().where(EventSales.event == event_id):
        return
    try:
        await EventSales(event=event_id).save()
    except Exception:  # noqa: BLE001 - a concurrent request created it first
        if not await EventSales.exists().where(EventSales.event == event_id):
            raise


async def claim_event(event_id: int, n: int) -> None:
    rows = await EventSales.raw(
        "UPDATE event_sales SET sold = sold + {} WHERE event = {} AND sold + {} <= "
        "COALESCE((SELECT capacity FROM event WHERE event.id = {}), " + str(_BIG) + ") RETURNING sold",
        n, event_id, n, event_id,
    )
    if not rows:
        raise Conflict("This event is sold out.", code="sold_out")


async def release_event(event_id: int, n: int) -> None:
    if n > 0:
        await EventSales.update({EventSales.sold: EventSales.sold - n}).where(EventSales.event == event_id)


async def claim_category(category_id: int, n: int, label: str) -> None:
    rows = await Category.update({Category.sold: Category.sold + n}).where(
        (Category.id == category_id)
        & WhereRaw("(capacity IS NULL OR sold + {} <= capacity)", n)
    ).returning(Category.id)
    if not rows:
        raise Conflict(f"The {label} category is full.", code="category_full")


async def release_category(category_id: int, n: int) -> None:
    await Category.update({Category.sold: Category.sold - n}).where(Category.id == category_id)


async def claim_addon(addon_id: int, n: int, label: str) -> None:
    rows = await AddOn.update({AddOn.sold: AddOn.sold + n}).where(
        (AddOn.id == addon_id) & WhereRaw("(capacity IS NULL OR sold + {} <= capacity)", n)
    ).returning(AddOn.id)
    if not rows:
        raise Conflict(f"{label} is full.", code="addon_full")


async def release_addon(addon_id: int, n: int) -> None:
    await AddOn.update({AddOn.sold: AddOn.sold - n}).where(AddOn.id == addon_id)


async def claim_code(code_id: int, uses: int, now) -> None:
    rows = await DiscountCode.update({DiscountCode.used: DiscountCode.used + uses}).where(
        (DiscountCode.id == code_id)
        & WhereRaw("(max_uses IS NULL OR used + {} <= max_uses)", uses)
        & (DiscountCode.expires_at.is_null() | (DiscountCode.expires_at > now))
    ).returning(DiscountCode.id)
    if not rows:
        raise Conflict("This code has been used up or has expired.", code="code_invalid",
                       field="code")


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

"""An event's money counted as it moves: `EventMoney` rows of differences (succeeded payments,
refunds, orders owing and what they owe) for the dashboard and the staff payments page (issue
29: the outstanding total joined every open order with its payments on each view).

The database keeps them (core/triggers.py), in the same transaction as every insert, update or
delete of an order, a payment or a refund, from whatever code. What an order owes is the
ledger's `due_cents` where above zero: its total less its succeeded payments while it is open
(pending, awaiting payment or confirmed). A payment's trigger works out what its order owed
just before the write from the order's payments now, so on PostgreSQL it first locks the
order: two payments of one order are then counted one after the other. An event's figures are
the sums of its rows, folded or not (the worker folds them into one row each minute,
jobs.fold_tallies; a read never does). `differences`
(`confops check`) compares them with the rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from confops.core.triggers import Trigger, fold_tally
from confops.payments.tables import EventMoney, Payment, PaymentStatus, Refund

_OPEN = "('confirmed', 'awaiting_payment', 'pending')"  # payments.ledger.OWING
_INSERT = "INSERT INTO event_money (event, paid_cents, refunded_cents, owing_orders, owed_cents) "


def _paid(order: str) -> str:
    return (f"COALESCE((SELECT SUM(p.amount_cents) FROM payment p WHERE p.\"order\" = {order} "
            "AND p.status = 'succeeded'), 0)")


def _owed(status: str, total: str, paid: str) -> str:
    return f"(CASE WHEN {status} IN {_OPEN} AND {total} > {paid} THEN {total} - ({paid}) ELSE 0 END)"


def _owing(status: str, total: str, paid: str) -> str:
    return f"(CASE WHEN {status} IN {_OPEN} AND {total} > {paid} THEN 1 ELSE 0 END)"


def _succeeded(row: str) -> str:
    return f"(CASE WHEN {row}.status = 'succeeded' THEN {row}.amount_cents ELSE 0 END)"


def _order_change(row: str, sign: str, paid: str = "") -> str:
    """The order `row` (OLD or NEW) counted (1) or uncounted (-1) as owing, with its payments
    now (`paid`: their total when known without reading them)."""
    paid = paid or _paid(f"{row}.id")
    return (_INSERT + f"SELECT {row}.event, 0, 0, {sign} * {_owing(f'{row}.status', f'{row}.total_cents', paid)}, "
            f"{sign} * {_owed(f'{row}.status', f'{row}.total_cents', paid)} "
            f"WHERE {_owing(f'{row}.status', f'{row}.total_cents', paid)} = 1")


def _payment_change(row: str, sign: str, without: str) -> str:
    """The payment `row` added (1: NEW) or taken away (-1: OLD): its order's paid total moves by
    its succeeded amount, and what the order owes with it. `without`: the order's paid total
    without this payment at this step, worked out from its payments now."""
    with_ = f"({without}) + {_succeeded(row)}"
    after, before = (with_, without) if sign == "1" else (without, with_)
    owing = f"{_owing('o.status', 'o.total_cents', after)} - {_owing('o.status', 'o.total_cents', before)}"
    owed = f"{_owed('o.status', 'o.total_cents', after)} - {_owed('o.status', 'o.total_cents', before)}"
    return (_INSERT + f"SELECT o.event, {sign} * {_succeeded(row)}, 0, {owing}, {owed} "
            f"FROM registration_order o WHERE o.id = {row}.\"order\"")


def _refund(row: str, sign: str) -> str:
    return (_INSERT + f"SELECT o.event, 0, {sign} * {row}.amount_cents, 0, 0 FROM registration_order o "
            f"WHERE o.id = {row}.\"order\"")


def triggers(engine_type: str) -> list[Trigger]:
    lock = "PERFORM 1 FROM registration_order WHERE id IN ({}) ORDER BY id FOR UPDATE"
    # A payment updated in place is taken away as it was (OLD), then added as it is (NEW); the
    # payments now have NEW and not OLD. Without OLD (once taken away), OLD's order has its
    # payments now less NEW where NEW is on the same order; without NEW, NEW's order has its
    # payments now less NEW.
    old_order, new_order = 'OLD."order"', 'NEW."order"'
    new_here = f"(CASE WHEN {new_order} = {old_order} THEN {_succeeded('NEW')} ELSE 0 END)"
    old_out = f"{_paid(old_order)} - {new_here}"
    new_out = f"{_paid(new_order)} - {_succeeded('NEW')}"
    return [
        Trigger("event_money_order_insert", "registration_order", "INSERT", (_order_change("NEW", "1", "0"),),
                when=f"NEW.status IN {_OPEN} AND NEW.total_cents > 0"),
        Trigger("event_money_order_update", "registration_order", "UPDATE OF status, total_cents, event",
                (_order_change("OLD", "-1"), _order_change("NEW", "1")),
                when="OLD.status {ne} NEW.status OR OLD.total_cents {ne} NEW.total_cents OR OLD.event {ne} NEW.event"),
        Trigger("event_money_order_delete", "registration_order", "DELETE", (_order_change("OLD", "-1"),)),
        Trigger("event_money_payment_insert", "payment", "INSERT",
                (_payment_change("NEW", "1", new_out),),
                when="NEW.status = 'succeeded'", locks=(lock.format('NEW."order"'),)),
        Trigger("event_money_payment_update", "payment", 'UPDATE OF status, amount_cents, "order"',
                (_payment_change("OLD", "-1", old_out), _payment_change("NEW", "1", new_out)),
                when="(OLD.status = 'succeeded' OR NEW.status = 'succeeded') AND (OLD.status {ne} NEW.status "
                     "OR OLD.amount_cents {ne} NEW.amount_cents OR OLD.\"order\" {ne} NEW.\"order\")",
                locks=(lock.format('OLD."order", NEW."order"'),)),
        Trigger("event_money_payment_delete", "payment", "DELETE",
                (_payment_change("OLD", "-1", _paid(old_order)),),
                when="OLD.status = 'succeeded'", locks=(lock.format('OLD."order"'),)),
        Trigger("event_money_refund_insert", "refund", "INSERT", (_refund("NEW", "1"),)),
        Trigger("event_money_refund_update", "refund", 'UPDATE OF amount_cents, "order"',
                (_refund("OLD", "-1"), _refund("NEW", "1"))),
        Trigger("event_money_refund_delete", "refund", "DELETE", (_refund("OLD", "-1"),)),
    ]


@dataclass(frozen=True)
class Money:
    paid_cents: int = 0
    refunded_cents: int = 0
    owing_orders: int = 0
    owed_cents: int = 0


_SUMS = ("SELECT COALESCE(SUM(paid_cents), 0) AS paid_cents, COALESCE(SUM(refunded_cents), 0) AS refunded_cents, "
         "COALESCE(SUM(owing_orders), 0) AS owing_orders, COALESCE(SUM(owed_cents), 0) AS owed_cents "
         "FROM event_money WHERE event = {}")


async def totals(event_id: int) -> Money:
    """The event's money: the sums of its rows, folded or not."""
    row = (await EventMoney.raw(_SUMS, event_id))[0]
    return Money(*(int(row[k]) for k in ("paid_cents", "refunded_cents", "owing_orders", "owed_cents")))


async def fold(event_id: int) -> None:
    await fold_tally(EventMoney, event_id, (), ("paid_cents", "refunded_cents", "owing_orders", "owed_cents"))


async def from_rows(event_id: int) -> Money:
    """The same figures from the orders, payments and refunds themselves."""
    from confops.payments.reports import outstanding_from_rows

    paid = await Payment.raw("SELECT COALESCE(SUM(p.amount_cents), 0) AS n FROM payment p JOIN registration_order o "
                             "ON o.id = p.\"order\" WHERE o.event = {} AND p.status = {}", event_id,
                             PaymentStatus.succeeded.value)
    refunded = await Refund.raw("SELECT COALESCE(SUM(r.amount_cents), 0) AS n FROM refund r JOIN registration_order o "
                                "ON o.id = r.\"order\" WHERE o.event = {}", event_id)
    owing, owed = await outstanding_from_rows(event_id)
    return Money(int(paid[0]["n"]), int(refunded[0]["n"]), int(owing), int(owed))


async def differences(event_id: int) -> list[tuple[str, int, int]]:
    kept, rows = await totals(event_id), await from_rows(event_id)
    return [(f"money {name}", getattr(kept, name), getattr(rows, name)) for name in Money.__dataclass_fields__
            if getattr(kept, name) != getattr(rows, name)]


async def rebuild(event_id: int) -> None:
    """The event's sums from its rows (the migration: events with money before the triggers)."""
    money = await from_rows(event_id)
    await EventMoney.delete().where(EventMoney.event == event_id)
    await EventMoney.insert(EventMoney(event=event_id, paid_cents=money.paid_cents,
                                       refunded_cents=money.refunded_cents, owing_orders=money.owing_orders,
                                       owed_cents=money.owed_cents))


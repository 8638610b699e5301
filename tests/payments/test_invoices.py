"""Invoice numbers are given when an order is confirmed with money received: sequential per
organizer, without gaps or duplicates even when confirmations race; unpaid orders get a
pro-forma invoice with no number."""

from __future__ import annotations

import asyncio

import pytest

from confops.db import transaction
from confops.documents.receipts import receipt_pdf
from confops.payments.gateway import stripe
from confops.payments.invoices import number_of, number_order
from confops.payments.service import record_manual_payment, settle_intent, start_checkout
from confops.payments.tables import Invoice, InvoiceCounter
from confops.registration.orders import place_order
from tests.payments.test_money import pdf_text
from tests.payments.test_stripe_flow import confirm_at_localstripe
from tests.registration.factory import make_event, order, person


async def place(key: str, slug: str = "meeting"):
    return await place_order(slug, order(person(), key=key), hold_minutes=30, base_url="http://testserver.local")


async def pay(order_id: int, amount: int) -> None:
    await record_manual_payment(order_id, method="cheque", amount_cents=amount, reference=f"Chq {order_id}",
                                recorded_by=None)


def serial(number: str) -> int:
    return int(number.split("-")[1])


async def test_unpaid_orders_get_a_pro_forma_and_confirmation_gives_the_next_number(db):
    await make_event()
    first, second = await place("a"), await place("b")
    assert await number_order(first.id) is None  # awaiting payment: no number is used up
    text = pdf_text(await receipt_pdf(first.id))
    assert "Pro-forma invoice" in text and "no. " not in text
    assert await Invoice.count() == 0
    await pay(second.id, second.total_cents)
    await pay(first.id, first.total_cents)
    assert serial(await number_of(second.id)) == 1 and serial(await number_of(first.id)) == 2
    text = pdf_text(await receipt_pdf(first.id))
    assert f"Invoice and receipt no. {await number_of(first.id)}" in text and "Pro-forma" not in text
    assert await number_order(first.id) == await number_of(first.id)  # downloads keep the number
    assert await Invoice.count() == 2


async def test_a_failed_confirmation_takes_its_number_back(db):
    await make_event()
    placed, other = await place("a"), await place("b")
    with pytest.raises(Boom):
        async with transaction():  # the confirmation fails after the number was drawn
            await pay(placed.id, placed.total_cents)
            assert serial(await number_of(placed.id)) == 1
            raise Boom
    assert await number_of(placed.id) is None
    await pay(other.id, other.total_cents)
    assert serial(await number_of(other.id)) == 1


class Boom(Exception):
    pass


async def test_concurrent_confirmations_neither_skip_nor_duplicate(db):
    await make_event()
    await make_event(slug="second")  # another organizer counts on its own
    orders = [await place(f"c{i}") for i in range(8)] + [await place(f"s{i}", "second") for i in range(3)]
    await asyncio.gather(*(pay(o.id, o.total_cents) for o in orders))
    # The same order numbered from several places at once (webhook replay, downloads) gets one number.
    again = await asyncio.gather(*(number_order(orders[0].id) for _ in range(5)))
    assert set(again) == {await number_of(orders[0].id)}
    first = sorted([serial(await number_of(o.id)) for o in orders[:8]])
    second = sorted([serial(await number_of(o.id)) for o in orders[8:]])
    assert first == list(range(1, 9)) and second == [1, 2, 3]
    assert sorted(c["last_number"] for c in await InvoiceCounter.select()) == [3, 8]


async def test_a_card_payment_is_numbered_when_the_webhook_confirms_it(app, localstripe):
    await make_event()
    placed = await place("card")
    intent = await start_checkout(placed.id)
    assert await number_of(placed.id) is None
    await confirm_at_localstripe(localstripe, intent.id, "pm_card_visa")
    read = await stripe().read_intent(intent.id)
    assert await settle_intent(read) == "confirmed"
    assert await settle_intent(read) == "confirmed"  # a replay
    assert serial(await number_of(placed.id)) == 1 and await Invoice.count() == 1


async def test_reading_a_receipt_writes_nothing_and_an_order_paid_before_numbering_gets_one_once(db):
    from tests.registration.test_pure_reads import writes
    from tests.support.statements import statements_counted

    await make_event()
    paid, held = await place("a"), await place("b")
    await pay(paid.id, paid.total_cents)
    number = await number_of(paid.id)
    with statements_counted() as seen:
        numbered, pro_forma = pdf_text(await receipt_pdf(paid.id)), pdf_text(await receipt_pdf(held.id))
    assert seen and not writes(seen), writes(seen)
    assert f"no. {number}" in numbered and "Pro-forma invoice" in pro_forma
    await Invoice.delete().where(Invoice.order == paid.id)  # paid before its organizer numbered invoices
    text = pdf_text(await receipt_pdf(paid.id))
    again = await number_of(paid.id)
    assert again and f"no. {again}" in text and serial(again) == serial(number) + 1
    assert f"no. {again}" in pdf_text(await receipt_pdf(paid.id)) and await Invoice.count() == 1

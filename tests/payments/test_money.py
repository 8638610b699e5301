"""Late payments, cancellation refunds, manual payments, receipts and invoice numbers."""

from __future__ import annotations

import io
from datetime import timedelta

import pytest
from pypdf import PdfReader

from confops.accounts.tables import Organizer
from confops.core import clock
from confops.core.errors import Conflict
from confops.core.tables import OutboxMessage
from confops.documents.receipts import receipt_pdf
from confops.payments import ledger
from confops.payments.gateway import stripe
from confops.payments.invoices import number_of
from confops.payments.refunds import refund_order
from confops.payments.service import record_manual_payment, settle_intent, start_checkout
from confops.payments.tables import Payment, Refund
from confops.registration.holds import release_expired
from confops.registration.orders import place_order
from confops.registration.selfservice import cancel_order
from confops.registration.tables import Order
from tests.payments.test_stripe_flow import confirm_at_localstripe
from tests.registration.factory import make_event, order, person


async def place(key: str, email: str = "buyer@example.org"):
    return await place_order("meeting", order(person(), key=key, buyer_email=email), hold_minutes=30,
                             base_url="http://testserver.local")


async def expire(order_id: int) -> None:
    await Order.update({Order.expires_at: clock.now() - timedelta(minutes=1)}).where(Order.id == order_id)
    assert await release_expired() == 1


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


async def test_a_payment_after_the_hold_expired_confirms_when_places_are_still_free(app, localstripe):
    await make_event(capacity=1)
    placed = await place("late")
    intent = await start_checkout(placed.id)
    await confirm_at_localstripe(localstripe, intent.id, "pm_card_visa")
    await expire(placed.id)
    assert await settle_intent(await stripe().read_intent(intent.id)) == "confirmed_late"
    assert (await ledger.order_row(placed.id))["status"] == "confirmed"
    assert await Refund.count() == 0
    assert await number_of(placed.id) is not None  # confirmed late, invoiced like any other


async def test_a_payment_after_the_places_were_taken_is_kept_as_paid_no_place_and_both_sides_told(app, localstripe):
    await make_event(capacity=1)
    await Organizer.update({Organizer.email: "office@society.example"}, force=True)
    placed = await place("late")
    intent = await start_checkout(placed.id)
    await confirm_at_localstripe(localstripe, intent.id, "pm_card_visa")
    await expire(placed.id)
    other = await place("other", email="other@example.org")  # takes the only place
    assert other.status == "awaiting_payment"
    read = await stripe().read_intent(intent.id)
    assert await settle_intent(read) == "no_place"
    assert await settle_intent(read) == "no_place"  # again (a replay): nothing more
    row = await ledger.order_row(placed.id)
    assert row["status"] == "expired"
    money = await ledger.balance_of(row)
    assert (money.paid_cents, money.refunded_cents, money.held_cents) == (read.amount_cents, 0, read.amount_cents)
    assert await Refund.count() == 0  # staff decide: refund in one click, or find a place
    assert await number_of(placed.id) is None  # never confirmed: no invoice number used up
    told = await OutboxMessage.select(OutboxMessage.to_address).where(OutboxMessage.dedupe_key.like("no-place%"))
    assert sorted(m["to_address"] for m in told) == ["buyer@example.org", "office@society.example"]


async def test_a_card_payment_completing_after_the_order_was_cancelled_is_refunded_once(app, localstripe):
    await make_event()
    placed = await place("cancelled")
    intent = await start_checkout(placed.id)
    await confirm_at_localstripe(localstripe, intent.id, "pm_card_visa")
    await cancel_order(await ledger.order_row(placed.id))
    read = await stripe().read_intent(intent.id)
    assert await settle_intent(read) == "refunded"
    assert await settle_intent(read) == "refunded"
    assert [(r["kind"], r["amount_cents"]) for r in await Refund.select()] == [("automatic", read.amount_cents)]
    assert (await ledger.order_row(placed.id))["status"] == "cancelled"


async def test_cancelling_a_paid_order_refunds_by_policy_once(app, localstripe):
    await make_event(starts_in_days=90)
    placed = await place("cancel")
    intent = await start_checkout(placed.id)
    await confirm_at_localstripe(localstripe, intent.id, "pm_card_visa")
    await settle_intent(await stripe().read_intent(intent.id))
    row = await ledger.order_row(placed.id)
    preview = await cancel_order(row)
    assert preview.refund_cents == row["total_cents"] * 80 // 100
    refunds = await Refund.select().where(Refund.order == placed.id)
    assert [(r["kind"], r["amount_cents"]) for r in refunds] == [("policy", preview.refund_cents)]
    assert refunds[0]["provider_id"].startswith("re_")
    money = await ledger.balance_of(await ledger.order_row(placed.id))
    assert money.paid_cents - money.refunded_cents == row["total_cents"] - preview.refund_cents


async def test_manual_payment_confirms_the_order_and_the_receipt_reads_back(db):
    await make_event()
    await Organizer.update({Organizer.name: "Ελληνική Εταιρεία Balint", Organizer.address: "Οδός Αθηνάς 1",
                            Organizer.city: "Springfield", Organizer.nonprofit_status: "501(c)(3) non-profit",
                            Organizer.tax_id: "12-3456789"}, force=True)
    placed = await place("manual")
    with pytest.raises(Conflict):
        await refund_order(placed.id, 100, reason="nothing paid yet")
    await record_manual_payment(placed.id, method="cheque", amount_cents=placed.total_cents, reference="Cheque 1042",
                                recorded_by=None)
    assert (await ledger.order_row(placed.id))["status"] == "confirmed"
    await refund_order(placed.id, 2500, reason="Book not available")
    text = pdf_text(await receipt_pdf(placed.id))
    total = f"${placed.total_cents // 100:,}.{placed.total_cents % 100:02d}"
    net = placed.total_cents - 2500
    for expected in ("Ελληνική Εταιρεία Balint", "Οδός Αθηνάς 1", "501(c)(3)", "12-3456789", "no. ", "Resident",
                     "Cheque (Cheque 1042)", "Book not available", total, "−$25.00",
                     f"${net // 100:,}.{net % 100:02d}", "Balance due"):
        assert expected in text, expected
    assert await Payment.count() == 1


async def test_concurrent_refunds_never_exceed_what_was_paid(db):
    import asyncio

    await make_event()
    placed = await place("race")
    await record_manual_payment(placed.id, method="door", amount_cents=placed.total_cents, reference="Desk 1",
                                recorded_by=None)
    part = placed.total_cents * 30 // 100

    async def attempt(i: int):
        try:
            return await refund_order(placed.id, part, reason=f"attempt {i}")
        except Conflict:
            return None

    results = await asyncio.gather(*(attempt(i) for i in range(10)))
    assert sum(1 for r in results if r) == 3
    money = await ledger.balance_of(await ledger.order_row(placed.id))
    assert money.refunded_cents == 3 * part <= money.paid_cents
    payment = await Payment.select(Payment.refunded_cents).first()
    assert payment["refunded_cents"] == money.refunded_cents


async def test_cancelling_an_order_paid_by_cheque_tells_staff_the_refund_due(db):
    await make_event(starts_in_days=90)
    await Organizer.update({Organizer.email: "office@society.example"}, force=True)
    placed = await place("cheque-cancel")
    await record_manual_payment(placed.id, method="cheque", amount_cents=placed.total_cents, reference="Chq 5",
                                recorded_by=None)
    preview = await cancel_order(await ledger.order_row(placed.id))
    assert await Refund.count() == 0  # no money moved yet
    due = await OutboxMessage.select().where(OutboxMessage.dedupe_key == f"refund-due:{placed.id}").first()
    assert due["to_address"] == "office@society.example" and f"${preview.refund_cents // 100:,}." in due["payload"]

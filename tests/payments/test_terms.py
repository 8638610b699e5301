"""Payment terms by method, and expiry that never strands money (issue 24).

Without Stripe keys (the default a new user meets) an order is paid by invoice, cheque or at the
door: it must hold its places for the event's payment term, not the card hold; when it expires
its attendees are no longer active; money that arrives afterwards is recorded, reinstating the
order if its places are free, else kept visibly as "paid, no place" with a one-click refund."""

from __future__ import annotations

import asyncio
import dataclasses
import re
from datetime import timedelta

import pytest

from confops.core import clock
from confops.core.tables import OutboxMessage
from confops.events.tables import Event
from confops.payments import ledger
from confops.payments.invoices import number_of
from confops.payments.service import record_manual_payment
from confops.payments.tables import Payment, Refund
from confops.registration import terms
from confops.registration.consistency import check
from confops.registration.holds import release_expired
from confops.registration.orders import place_order
from confops.registration.tables import Attendee, EventSales, Order
from tests.payments.test_staff_pages import demo_order, sign_in
from tests.registration.factory import make_event, order, person
from tests.registration.test_pages import FORM, form_token
from tests.support.http import post_form


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, stripe_secret_key="", stripe_webhook_secret="", stripe_api_base="")


def test_the_hold_follows_the_method_and_never_passes_the_start():
    now = clock.now()
    start, end = now + timedelta(days=30), now + timedelta(days=32)
    hold = lambda method, starts=start, days=14: terms.hold_until(  # noqa: E731
        method, now=now, starts_at=starts, ends_at=end, term_days=days, card_minutes=30)
    assert hold("card") == now + timedelta(minutes=30)
    assert hold("invoice") == hold("cheque") == now + timedelta(days=14)
    assert hold("invoice", starts=now + timedelta(days=5)) == now + timedelta(days=5)  # never past the start
    assert hold("door") == end
    # placed at the desk after the start: still the card hold, never already expired
    assert hold("cheque", starts=now - timedelta(hours=1)) == now + timedelta(minutes=30)
    assert terms.reminder_offsets("7, 2,x,-1,2,0") == [7, 2]


async def test_an_order_by_cheque_holds_for_the_term_then_expires_with_its_attendees(client):
    moment = clock.now()
    with clock.frozen_at(moment):
        await make_event(starts_in_days=60)
        form = await client.get("/events/meeting/register")
        data = {**FORM, "form_token": form_token(form.text)}
        review = await post_form(client, "/events/meeting/register", {**data, "action": "review"})
        assert 'name="pay_by" value="invoice" checked' in review.text
        assert 'value="card"' not in review.text  # no Stripe: no card to choose
        card = await post_form(client, "/events/meeting/register", {**data, "action": "confirm", "pay_by": "card"})
        assert card.status_code == 422 and "Card payment is not available" in card.text
        done = await post_form(client, "/events/meeting/register", {**data, "action": "confirm", "pay_by": "cheque"})
        assert done.status_code == 303
        order_id, token = re.search(r"/orders/(\d+)\?token=(.+)$", done.headers["location"]).groups()
        row = await Order.select().first()
        assert row["payment_method"] == "cheque" and row["expires_at"] == moment + timedelta(days=14)

        clock.advance(timedelta(minutes=31))  # the card hold would have expired here
        assert await release_expired() == 0
        pay = await client.get(f"/orders/{order_id}/pay", params={"token": token})
        assert "How to pay: Cheque" in pay.text and "payable to Society" in pay.text and 'id="due-date"' in pay.text
        # the hour is the event's: its zone is said, as people say it, on the pay and order pages
        assert re.search(r'id="due-date">[^<]* time \([A-Z+0-9-]+\)</strong>', pay.text), pay.text
        held = await client.get(f"/orders/{order_id}", params={"token": token})
        assert re.search(r'id="held-until">[^<]* time \([A-Z+0-9-]+\)</span>', held.text), held.text

        clock.advance(timedelta(days=14))
        # past its due time the buyer is shown it expired at once, before the sweeper has run
        for swept in (False, True):
            page = await client.get(f"/orders/{order_id}", params={"token": token})
            assert 'id="expired"' in page.text and 'id="pay-link">Pay now' not in page.text
            assert "Expired unpaid" in page.text and " · active" not in page.text and " · expired" not in page.text
            pay = await client.get(f"/orders/{order_id}/pay", params={"token": token})
            assert 'id="expired"' in pay.text and "Balance due" not in pay.text and "Register again" in pay.text
            assert 'id="pay-by-form"' not in pay.text and 'id="due-date"' not in pay.text
            if not swept:
                assert await release_expired() == 1
        assert (await Order.select(Order.status).first())["status"] == "expired"
        assert [a["status"] for a in await Attendee.select(Attendee.status)] == ["expired"]
        assert (await EventSales.select(EventSales.sold).first())["sold"] == 0
        assert await check() == []
        told = await OutboxMessage.select().where(OutboxMessage.dedupe_key.like("order-expired:%"))
        assert [m["to_address"] for m in told] == ["ana@example.org"]


async def test_the_buyer_can_switch_from_card_to_invoice_on_the_pay_page(client):
    await make_event(starts_in_days=10)
    await EventSales.update({EventSales.payment_term_days: 30}, force=True)
    placed = await place_order("meeting", order(person(), key="switch"), hold_minutes=30, base_url="http://x")
    await Order.update({Order.payment_method: "card", Order.expires_at: clock.now() + timedelta(minutes=30)},
                       force=True)
    bad = await post_form(client, f"/orders/{placed.id}/pay-by", {"token": placed.token, "pay_by": "bitcoin"},
                          page=f"/orders/{placed.id}/pay?token={placed.token}")
    assert bad.status_code == 422 and "Choose card, invoice, cheque" in bad.text
    ok = await post_form(client, f"/orders/{placed.id}/pay-by", {"token": placed.token, "pay_by": "invoice"})
    assert ok.status_code == 200 and "How to pay: Invoice" in ok.text
    row = await Order.select().first()
    start = (await Event.select(Event.starts_at).first())["starts_at"]
    assert row["payment_method"] == "invoice" and row["expires_at"] == start  # 30-day term capped at the start
    wrong = await post_form(client, f"/orders/{placed.id}/pay-by", {"token": "nope", "pay_by": "cheque"})
    assert wrong.status_code == 404


async def _expired_demo_order(key: str) -> tuple[dict, int]:
    placed = await demo_order(key)
    await Order.update({Order.expires_at: clock.now() - timedelta(minutes=1)}).where(Order.id == placed.id)
    assert await release_expired() >= 1
    return await ledger.order_row(placed.id), placed.total_cents


async def test_a_cheque_for_an_expired_order_reinstates_it_when_places_are_free(client, demo):
    row, total = await _expired_demo_order("late-cheque")
    event = await Event.select().where(Event.id == row["event"]).first()
    sold_before = (await EventSales.select(EventSales.sold).where(EventSales.event == event["id"]).first())["sold"]
    await sign_in(client, "registrar@example.org")
    page = await client.get(f"/staff/orders/{row['id']}/payments")
    assert 'id="record-payment"' in page.text and 'id="refund-section"' not in page.text
    assert f'name="payment_amount" inputmode="decimal" value="{total / 100:.2f}"' in page.text
    done = await post_form(client, f"/staff/orders/{row['id']}/manual-payments",
                           {"payment_method": "cheque", "payment_amount": f"{total / 100:.2f}",
                            "payment_reference": "Chq 881",
                            "received_on": clock.local(clock.now(), event["timezone"]).date().isoformat()})
    assert done.status_code == 200 and "confirmed again with its places" in done.text
    history = done.text.split('id="history"')[1]
    assert "Paid $" in history and "(Chq 881)" in history and "Payment recorded by staff" in history
    row = await ledger.order_row(row["id"])
    assert row["status"] == "confirmed" and await number_of(row["id"]) is not None
    assert {a["status"] for a in await Attendee.select(Attendee.status).where(Attendee.order == row["id"])} == {"active"}
    sold = (await EventSales.select(EventSales.sold).where(EventSales.event == event["id"]).first())["sold"]
    assert sold == sold_before + 1
    assert await check() == []
    assert await OutboxMessage.exists().where(OutboxMessage.dedupe_key == f"confirmation:{row['id']}:late-cheque@example.org")


async def test_a_cheque_for_an_expired_order_whose_place_is_gone_is_kept_and_refunded_in_one_click(client, demo):
    row, total = await _expired_demo_order("gone")
    sold = (await EventSales.select(EventSales.sold).where(EventSales.event == row["event"]).first())["sold"]
    await Event.update({Event.capacity: sold}).where(Event.id == row["event"])  # sold out meanwhile
    await sign_in(client, "registrar@example.org")
    done = await post_form(client, f"/staff/orders/{row['id']}/manual-payments",
                           {"payment_method": "cheque", "payment_amount": f"{total / 100:.2f}",
                            "payment_reference": "Chq 12"}, page=f"/staff/orders/{row['id']}/payments")
    assert done.status_code == 200 and "paid, no place" in done.text and 'id="no-place"' in done.text
    assert (await ledger.order_row(row["id"]))["status"] == "expired"
    assert await Payment.count().where(Payment.order == row["id"]) == 1  # the money is recorded
    told = await OutboxMessage.select(OutboxMessage.to_address).where(OutboxMessage.dedupe_key.like("no-place:%"))
    assert "gone@example.org" in [m["to_address"] for m in told]
    listing = await client.get(f"/staff/events/{row['event']}/payments")
    assert f'id="no-place-{row["id"]}"' in listing.text
    refund = await post_form(client, f"/staff/orders/{row['id']}/refunds",
                             {"refund_amount": f"{total / 100:.2f}",
                              "refund_reason": "Paid after the order expired; no place left"})
    assert refund.status_code == 200 and "The refund was recorded." in refund.text
    money = await ledger.balance_of(await ledger.order_row(row["id"]))
    assert money.net_cents == 0 and money.held_cents == 0
    assert await Refund.count().where(Refund.order == row["id"]) == 1
    listing = await client.get(f"/staff/events/{row['event']}/payments")
    assert f'id="no-place-{row["id"]}"' not in listing.text
    assert await check() == []


async def test_bad_manual_payments_are_field_errors_under_their_own_form_and_write_nothing(client, demo):
    placed = await demo_order("careless")
    await sign_in(client, "registrar@example.org")
    url = f"/staff/orders/{placed.id}/manual-payments"
    good = {"payment_method": "cheque", "payment_amount": f"{placed.total_cents / 100:.2f}",
            "payment_reference": "Chq 5"}
    cases = [({"payment_amount": f"{placed.total_cents / 100 + 1:.2f}"}, "payment_amount", "more than the"),
             ({"payment_amount": "-5"}, "payment_amount", "above zero"),
             ({"payment_amount": "0"}, "payment_amount", "above zero"),
             ({"received_on": (clock.now() + timedelta(days=3)).date().isoformat()}, "received_on", "future"),
             ({"received_on": "yesterday"}, "received_on", "YYYY-MM-DD"),
             ({"payment_reference": "x" * 10_000}, "payment_reference", "up to 200"),
             ({"payment_method": "bitcoin"}, "payment_method", "Choose invoice")]
    for change, field, words in cases:
        r = await post_form(client, url, {**good, **change}, page=f"/staff/orders/{placed.id}/payments")
        assert r.status_code == 422, (change, r.status_code)
        assert f'id="{field}-error"' in r.text and words in r.text, change
        assert 'id="refund_amount-error"' not in r.text
    mine = Payment.order == placed.id
    assert await Payment.count().where(mine) == 0
    partial = {**good, "payment_amount": "100.00"}
    assert (await post_form(client, url, partial)).status_code == 200
    again = await post_form(client, url, partial)
    assert again.status_code == 422 and "already recorded" in again.text
    assert await Payment.count().where(mine) == 1
    refund = await post_form(client, f"/staff/orders/{placed.id}/refunds", {"refund_amount": "1", "refund_reason": ""})
    assert refund.status_code == 422 and 'id="refund_reason-error"' in refund.text
    assert 'id="payment_reference-error"' not in refund.text


async def test_two_staff_recording_the_same_cheque_at_once_record_one_payment(db):
    await make_event()
    placed = await place_order("meeting", order(person(), key="race"), hold_minutes=30, base_url="http://x")

    async def record(reference: str):
        try:
            return await record_manual_payment(placed.id, method="cheque", amount_cents=placed.total_cents,
                                               reference=reference, recorded_by=None)
        except Exception as exc:  # noqa: BLE001 - the loser's refusal is what is checked
            return exc

    results = await asyncio.gather(*(record("Chq 900") for _ in range(4)), record("Chq 901"))
    assert sum(1 for r in results if isinstance(r, dict)) == 1
    assert all(getattr(r, "status_code", None) == 422 for r in results if not isinstance(r, dict))
    money = await ledger.balance_of(await ledger.order_row(placed.id))
    assert money.paid_cents == placed.total_cents and await Payment.count() == 1


async def test_staff_extend_one_orders_term_with_a_reason(client, demo):
    placed = await demo_order("department")
    await sign_in(client, "registrar@example.org")
    url = f"/staff/orders/{placed.id}/hold"
    later = (clock.now() + timedelta(days=20)).date().isoformat()
    no_reason = await post_form(client, url, {"hold_until": later, "hold_reason": ""},
                                page=f"/staff/orders/{placed.id}/payments")
    assert no_reason.status_code == 422 and 'id="hold_reason-error"' in no_reason.text
    past = await post_form(client, url, {"hold_until": "2020-01-01", "hold_reason": "PO coming"})
    assert past.status_code == 422 and "in the future" in past.text
    ok = await post_form(client, url, {"hold_until": later, "hold_reason": "PO 4471 is on its way"})
    assert ok.status_code == 200 and "The due date was extended." in ok.text
    row = await ledger.order_row(placed.id)
    assert row["expires_at"].date().isoformat() >= later
    page = await client.get(f"/staff/orders/{placed.id}/payments")
    history = page.text.split('id="history"')[1]
    assert "Order placed by Pat Payer" in history and "Due date extended by registrar@example.org: PO 4471" in history

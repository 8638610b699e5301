"""The whole card loop against localstripe: pay, webhook, confirmation; declines; refunds."""

from __future__ import annotations

import asyncio
import re

import httpx
import pytest

from confops.payments import ledger
from confops.payments.tables import Payment, Refund, WebhookEvent
from confops.registration.orders import place_order
from confops.registration.tables import Order
from tests.payments.conftest import SECRET_KEY
from tests.registration.factory import make_event, order, person


async def awaiting_order(key: str = "k1") -> tuple[int, str]:
    await make_event()
    placed = await place_order("meeting", order(person(), key=key), hold_minutes=30,
                               base_url="http://testserver.local")
    assert placed.status == "awaiting_payment"
    return placed.id, placed.token


async def confirm_at_localstripe(localstripe: str, intent_id: str, payment_method: str) -> httpx.Response:
    """What Stripe.js's Payment Element does in the browser, done server-side (no CDN in tests)."""
    auth = {"Authorization": f"Bearer {SECRET_KEY}"}
    async with httpx.AsyncClient() as http:
        attached = await http.post(f"{localstripe}/v1/payment_intents/{intent_id}",
                                   data={"payment_method": payment_method}, headers=auth)
        assert attached.status_code == 200, attached.text
        return await http.post(f"{localstripe}/v1/payment_intents/{intent_id}/confirm", headers=auth)


async def until(predicate, seconds: float = 15.0):
    deadline = asyncio.get_running_loop().time() + seconds
    while True:
        value = await predicate()
        if value:
            return value
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("timed out waiting")
        await asyncio.sleep(0.2)


async def open_checkout(server_url: str, order_id: int, token: str) -> str:
    async with httpx.AsyncClient() as http:
        page = await http.get(f"{server_url}/orders/{order_id}/pay", params={"token": token})
    assert page.status_code == 200, page.text
    return re.search(r'data-intent="(pi_[^"]+)"', page.text).group(1)


async def status_of(order_id: int) -> str:
    return (await Order.select(Order.status).where(Order.id == order_id).first())["status"]


async def test_visa_payment_is_confirmed_by_localstripes_signed_webhook(stripe_server, localstripe):
    order_id, token = await awaiting_order()
    intent_id = await open_checkout(stripe_server.url, order_id, token)
    confirmed = await confirm_at_localstripe(localstripe, intent_id, "pm_card_visa")
    assert confirmed.json()["status"] == "succeeded"
    assert await status_of(order_id) == "awaiting_payment"  # the browser's word is not proof

    async def is_confirmed():
        return await status_of(order_id) == "confirmed"

    await until(is_confirmed)
    assert await WebhookEvent.count().where(WebhookEvent.type == "payment_intent.succeeded") == 1
    row = await ledger.order_row(order_id)
    money = await ledger.balance_of(row)
    assert (money.paid_cents, money.refunded_cents, money.due_cents) == (row["total_cents"], 0, 0)
    async with httpx.AsyncClient() as http:
        state = (await http.get(f"{stripe_server.url}/orders/{order_id}/payment.json",
                                params={"token": token})).json()
    assert state["status"] == "confirmed" and state["paid_cents"] == row["total_cents"]


async def test_declined_card_leaves_the_order_payable_with_a_message(stripe_server, localstripe):
    order_id, token = await awaiting_order()
    intent_id = await open_checkout(stripe_server.url, order_id, token)
    declined = await confirm_at_localstripe(localstripe, intent_id, "pm_card_chargeCustomerFail")
    assert declined.status_code == 402

    async def failed():
        row = await Payment.select(Payment.status, Payment.message).where(Payment.provider_id == intent_id).first()
        return row if row["status"] == "failed" else None

    row = await until(failed)
    assert row["message"]
    assert await status_of(order_id) == "awaiting_payment"
    async with httpx.AsyncClient() as http:
        again = await http.get(f"{stripe_server.url}/orders/{order_id}/pay", params={"token": token})
    assert row["message"] in again.text
    new_intent = re.search(r'data-intent="(pi_[^"]+)"', again.text).group(1)
    assert new_intent != intent_id  # a second attempt gets a fresh intent
    assert (await ledger.balance_of(await ledger.order_row(order_id))).paid_cents == 0


async def test_staff_refund_goes_through_the_api_and_never_exceeds_what_was_paid(app, client, localstripe):
    from confops.core.errors import Conflict
    from confops.payments.gateway import stripe
    from confops.payments.refunds import refund_order
    from confops.payments.service import settle_intent, start_checkout

    order_id, _ = await awaiting_order()
    intent = await start_checkout(order_id)
    await confirm_at_localstripe(localstripe, intent.id, "pm_card_visa")
    assert await settle_intent(await stripe().read_intent(intent.id)) == "confirmed"
    total = (await ledger.order_row(order_id))["total_cents"]

    first = await refund_order(order_id, 10000, reason="Workshop cancelled")
    assert first[0]["provider_id"].startswith("re_")
    with pytest.raises(Conflict):
        await refund_order(order_id, total, reason="Too much")
    await refund_order(order_id, total - 10000, reason="Rest")
    money = await ledger.balance_of(await ledger.order_row(order_id))
    assert (money.paid_cents, money.refunded_cents, money.net_cents) == (total, total, 0)
    assert await Refund.count().where(Refund.order == order_id) == 2
    async with httpx.AsyncClient() as http:
        listed = (await http.get(f"{localstripe}/v1/refunds", params={"payment_intent": intent.id},
                                 headers={"Authorization": f"Bearer {SECRET_KEY}"})).json()
    assert sorted(r["amount"] for r in listed["data"]) == sorted([10000, total - 10000])

"""Without Stripe keys only manual payment is offered (the embedded demo works offline)."""

from __future__ import annotations

import dataclasses

import pytest

from confops.payments.tables import Payment, WebhookEvent
from tests.payments.test_money import place
from tests.registration.factory import make_event


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, stripe_secret_key="", stripe_webhook_secret="", stripe_api_base="")


async def test_without_stripe_the_pay_page_offers_manual_payment_only(client):
    await make_event()
    placed = await place("offline")
    r = await client.get(f"/orders/{placed.id}/pay", params={"token": placed.token})
    assert r.status_code == 200
    assert "How to pay: Invoice" in r.text and "data-intent" not in r.text
    assert "js.stripe.com" not in r.text
    hook = await client.post("/webhooks/stripe", content=b"{}", headers={"Stripe-Signature": "t=1,v1=x"})
    assert hook.status_code == 409
    assert await Payment.count() == 0 and await WebhookEvent.count() == 0
    wrong = await client.get(f"/orders/{placed.id}/pay", params={"token": "not-the-token"})
    assert wrong.status_code == 404

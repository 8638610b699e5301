"""An idempotency key is not a credential: the attack was another order's key (from another event,
with another buyer) answering that order's id and token, which opens its self-service page."""

from __future__ import annotations

from confops.registration.tables import Order
from tests.registration.factory import make_event
from tests.registration.test_bad_input_http import body


def order(key: str, *, email: str = "ana@example.org", first: str = "Ana") -> dict:
    made = body(email=email, first_name=first)
    return {**made, "buyer_email": email, "idempotency_key": key}


async def test_another_events_key_places_a_new_order_and_reveals_nothing(client, db):
    await make_event(slug="spring")
    await make_event(slug="autumn")
    key = "victim-key-0123456789"
    first = await client.post("/api/v1/events/spring/orders", json=order(key))
    assert first.status_code == 201
    other = await client.post("/api/v1/events/autumn/orders", json=order(key, email="eve@example.org", first="Eve"))
    assert other.status_code == 201
    assert other.json()["id"] != first.json()["id"] and other.json()["token"] != first.json()["token"]
    victim = await client.get(f"/api/v1/orders/{first.json()['id']}?token={other.json()['token']}")
    assert victim.status_code == 404


async def test_the_same_key_with_another_body_is_refused(client, db):
    await make_event(slug="spring")
    key = "client-key-0123456789"
    first = await client.post("/api/v1/events/spring/orders", json=order(key))
    again = await client.post("/api/v1/events/spring/orders", json=order(key))
    assert first.status_code == 201 and again.status_code == 200 and again.json() == first.json()
    stolen = await client.post("/api/v1/events/spring/orders", json=order(key, email="eve@example.org", first="Eve"))
    assert stolen.status_code == 422
    problem = stolen.json()
    assert problem["code"] == "idempotency_key_reused" and problem["errors"][0]["field"] == "idempotency_key"
    assert "token" not in problem and first.json()["token"] not in stolen.text
    assert await Order.count() == 1


async def test_short_keys_are_refused(client, db):
    await make_event(slug="spring")
    for key in ("x", "k" * 15):
        r = await client.post("/api/v1/events/spring/orders", json=order(key))
        assert r.status_code in (400, 422) and "idempotency_key" in r.text, key
    assert await Order.count() == 0

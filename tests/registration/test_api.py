"""The orders API over HTTP: 201, 409 reason codes, 422 field names, token-only reads."""

import asyncio

from confops.registration.tables import Order
from tests.registration.factory import make_event


def body(key="api-1", email="ana@example.org", **extra):
    attendee = {"category": "resident", "email": email, "first_name": "Ana", "last_name": "Lima",
                "addons": {"workshop": 1}, "answers": {"first_meeting": "yes"}}
    attendee.update(extra)
    return {"buyer_name": "Ana Lima", "buyer_email": email, "idempotency_key": f"{key}-order-request-key", "code": "SAVE10",
            "attendees": [attendee]}


async def test_place_and_read_back_with_token(client):
    await make_event()
    r = await client.post("/api/v1/events/meeting/orders", json=body())
    assert r.status_code == 201, r.text
    created = r.json()
    assert created["status"] == "awaiting_payment" and created["total_cents"] == 70000 - 7000 + 15000
    assert created["expires_at"] and created["token"]
    again = await client.post("/api/v1/events/meeting/orders", json=body())
    assert again.status_code == 200 and again.json()["id"] == created["id"]
    got = await client.get(f"/api/v1/orders/{created['id']}", params={"token": created["token"]})
    assert got.status_code == 200 and got.json()["attendees"][0]["addons"] == ["workshop"]
    header = await client.get(f"/api/v1/orders/{created['id']}", headers={"X-Order-Token": created["token"]})
    assert header.status_code == 200
    for token in ("", "wrong"):
        assert (await client.get(f"/api/v1/orders/{created['id']}", params={"token": token})).status_code == 404
    other = (await client.post("/api/v1/events/meeting/orders", json=body("api-2", "b@example.org"))).json()
    r = await client.get(f"/api/v1/orders/{other['id']}", params={"token": created["token"]})
    assert r.status_code == 404


async def test_422_names_fields_and_changes_nothing(client):
    await make_event()
    r = await client.post("/api/v1/events/meeting/orders",
                          json=body(email="nope", first_name="<script>alert(1)</script>" * 500))
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert {"buyer_email", "attendees[0].email", "attendees[0].first_name"} <= fields
    r = await client.post("/api/v1/events/meeting/orders", json={"buyer_name": "x"})
    assert r.status_code in (400, 422)
    r = await client.post("/api/v1/events/meeting/orders", json=body(addons={"workshop": -1}))
    assert r.status_code == 422
    assert await Order.count() == 0


async def test_409_reason_codes(client):
    await make_event(capacity=1)
    assert (await client.post("/api/v1/events/meeting/orders", json=body("a"))).status_code == 201
    r = await client.post("/api/v1/events/meeting/orders", json=body("b", "b@example.org"))
    assert r.status_code == 409 and r.json()["code"] == "sold_out"


async def test_200_concurrent_http_attempts_at_50_places(client):
    await make_event(capacity=50, workshop_capacity=None)
    results = await asyncio.gather(*(
        client.post("/api/v1/events/meeting/orders", json=body(f"k{i}", f"p{i}@example.org"))
        for i in range(200)))
    codes = [r.status_code for r in results]
    assert codes.count(201) == 50 and codes.count(409) == 150
    assert await Order.count() == 50


async def test_a_group_order_reads_back_each_attendees_own_add_ons_and_answers(client):
    await make_event()
    group = body(key="group-1")
    group["attendees"] = [
        {"category": "resident", "email": "ana@example.org", "first_name": "Ana", "last_name": "Lima",
         "addons": {"workshop": 1, "book": 2}, "answers": {"first_meeting": "yes"}},
        {"category": "member", "email": "bo@example.org", "first_name": "Bo", "last_name": "Berg",
         "addons": {}, "answers": {"first_meeting": "no"}},
        {"category": "resident", "email": "cy@example.org", "first_name": "Cy", "last_name": "Cole",
         "addons": {"book": 1}, "answers": {"first_meeting": "no"}},
    ]
    created = (await client.post("/api/v1/events/meeting/orders", json=group)).json()
    got = (await client.get(f"/api/v1/orders/{created['id']}", params={"token": created["token"]})).json()
    assert [(a["first_name"], sorted(a["addons"])) for a in got["attendees"]] == [
        ("Ana", ["book", "workshop"]), ("Bo", []), ("Cy", ["book"])]
    from confops.registration.orders import attendees_of

    people = await attendees_of(created["id"])
    assert [p["answers"] for p in people] == [{"first_meeting": "yes"}, {"first_meeting": "no"}, {"first_meeting": "no"}]
    assert [[(a["code"], a["quantity"]) for a in p["addons"]] for p in people] == [
        [("book", 2), ("workshop", 1)], [], [("book", 1)]]  # in the order they were added (by code)

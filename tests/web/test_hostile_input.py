"""Input a careless client or an attacker sends: NUL and control characters, ids beyond the
database's integers. Every one gets a 4xx naming what is wrong, never a 500, on both engines."""

from __future__ import annotations

import pytest

from tests.checkin.factory import make_door
from tests.support.http import post_form

JSON = {"accept": "application/json"}


@pytest.mark.parametrize("path", [
    "/events/a%00b", "/api/v1/events/a%00b", "/calendar/a%00b/agenda.ics", "/events/a%01b/sessions/1",
    "/verify/a%00b", "/orders/1?token=a%00b",
])
async def test_nul_in_the_address_is_refused_naming_it(client, demo, path):
    r = await client.get(path, headers=JSON)
    assert r.status_code == 422, (path, r.status_code)
    assert r.json()["errors"][0]["field"] in ("path", "token")


@pytest.mark.parametrize("path", [
    "/orders/4294967296?token=x", "/api/v1/orders/4294967296", "/speakers/4294967296/photo",
    "/api/v1/orders/2950007685165464577638", "/events/abs-national-meeting/sessions/99999999999",
    "/orders/-4294967296?token=x",
])
async def test_ids_beyond_the_database_integers_are_not_found(client, demo, path):
    r = await client.get(path, headers=JSON)
    assert r.status_code == 404, (path, r.status_code)
    assert r.json()["errors"][0]["field"] in ("order_id", "speaker_id", "session_id")


async def test_nul_in_forms_is_refused_naming_the_field(client, demo):
    r = await post_form(client, "/login", {"email": "a\x00@example.org"}, page="/login")
    assert r.status_code == 422 and "email" in r.text and "control character" in r.text
    r = await post_form(client, "/mailing-list", {"name": "Ann\x00", "email": "ann@example.org"}, page="/mailing-list")
    assert r.status_code == 422 and "control character" in r.text
    r = await post_form(client, "/staff/login", {"email": "admin@example.org\x00", "password": "x"},
                        page="/staff/login")
    assert r.status_code == 422
    # line breaks and tabs in text are text, not control characters
    r = await post_form(client, "/mailing-list", {"name": "Ann\tLee", "email": "ann@example.org"},
                        page="/mailing-list")
    assert r.status_code < 400


async def test_nul_in_the_register_form_code_is_refused(client, demo):
    page = await client.get("/events/abs-national-meeting/register")
    assert page.status_code == 200
    token = page.text.split('name="form_token" value="')[1].split('"')[0]
    r = await client.post("/events/abs-national-meeting/register", data={
        "_csrf_token": client.cookies["confops_csrf"], "form_token": token, "code": "SAVE\x0010",
        "buyer_name": "A B", "buyer_email": "ab@example.org"})
    assert r.status_code == 422 and "code" in r.text


async def test_nul_in_json_is_refused_naming_the_field(client, demo):
    r = await client.post("/api/v1/events/abs-national-meeting/orders", json={
        "buyer_name": "Eve\u0000", "buyer_email": "eve@example.org", "idempotency_key": "k" * 20,
        "attendees": [{"category": "member", "first_name": "Eve", "last_name": "E", "email": "eve@example.org"}]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "buyer_name"
    r = await client.post("/api/v1/events/abs-national-meeting/orders", json={
        "buyer_name": "Eve", "buyer_email": "eve@example.org", "idempotency_key": "k" * 20,
        "attendees": [{"category": "member", "first_name": "E\u0007ve", "last_name": "E", "email": "eve@example.org"}]})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "attendees[0].first_name"


async def test_scans_with_ids_beyond_the_database_integers_are_refused(client, db):
    door = await make_door(1)
    auth = {"authorization": f"Bearer {door.device_token}"}
    for body in ({"list_id": 4294967296, "nonce": "n1", "attendee_id": door.people[0]},
                 {"list_id": door.entry_list, "nonce": "n2", "attendee_id": 4294967296},
                 {"list_id": door.entry_list, "nonce": "n\u00003", "attendee_id": door.people[0]}):
        r = await client.post("/api/v1/checkin/scan", json=body, headers=auth)
        assert 400 <= r.status_code < 500, (body, r.status_code, r.text)
    r = await client.get("/api/v1/checkin/search?list_id=4294967296&q=a", headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "list_id"
    r = await client.get("/api/v1/checkin/search", params={"list_id": door.entry_list, "q": "a\x00"}, headers=auth)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "q"
    # the door still works
    ok = await client.post("/api/v1/checkin/scan", json={"list_id": door.entry_list, "nonce": "n4",
                                                        "token": await door.token(door.people[0])}, headers=auth)
    assert ok.status_code == 200 and ok.json()["result"] == "ok"

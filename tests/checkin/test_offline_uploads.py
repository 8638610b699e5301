"""A scanner's offline queue against a careless network and an attacker: one bad scan in a batch
of 500, a forged badge with an attendee number beyond the database's integers, the same batch
uploaded twice at the same moment, another device's batch after that. Both engines."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from confops.checkin import devices, tokens
from confops.checkin.tables import CheckinConflict, CheckinScan
from tests.checkin.factory import add_people, make_door

OFFLINE = "/api/v1/checkin/offline"


def auth(token: str) -> dict:
    return {"authorization": f"Bearer {token}"}


def forged(event_id: int, attendee_id: int) -> str:
    """A badge in the right format for this event, with a made-up tag."""
    body = tokens.Claims(event_id, attendee_id, 1, 1).to_bytes()
    return tokens.FORMAT + str(int.from_bytes(body + b"\x07" * tokens.TAG_BYTES, "big")).zfill(tokens.DIGITS)


async def test_one_bad_scan_does_not_block_a_batch_of_500(client, db):
    door = await make_door(2)
    people = door.people + await add_people(door.event_id, 498, first="More")
    t0 = datetime.now(UTC) - timedelta(hours=1)
    scans = [{"list_id": door.entry_list, "nonce": f"n{i}", "token": await door.token(p),
              "client_time": (t0 + timedelta(seconds=i)).isoformat()} for i, p in enumerate(people[:497])]
    scans[100] = {**scans[100], "token": forged(door.event_id, 2**32 - 1)}
    scans[200] = {**scans[200], "list_id": 2**31 - 1}  # no such list
    other = await make_door(1, slug="elsewhere")
    scans[300] = {**scans[300], "list_id": other.entry_list}  # another event's list
    r = await client.post(OFFLINE, json={"scans": scans}, headers=auth(door.device_token))
    assert r.status_code == 200, r.text
    answers = {a["nonce"]: a for a in r.json()["results"]}
    assert answers["n100"]["status"] == "conflict" and answers["n100"]["reason"] == "invalid"
    assert answers["n200"]["status"] == "invalid" and answers["n300"]["status"] == "invalid"
    assert r.json()["accepted"] == 494 and r.json()["invalid"] == 2
    assert await CheckinScan.count() == 494


async def test_a_signed_badge_beyond_the_database_integers_is_invalid_not_an_error(client, db):
    door = await make_door(1)
    key = await devices.event_key(door.event_id, "test-secret-key-that-is-long-enough-0123456789")
    huge = tokens.issue(key, 2**32 - 1, 1)
    now = datetime.now(UTC).isoformat()
    r = await client.post(OFFLINE, headers=auth(door.device_token), json={"scans": [
        {"list_id": door.entry_list, "nonce": "x1", "token": huge, "client_time": now},
        {"list_id": door.entry_list, "nonce": "x2", "token": await door.token(door.people[0]), "client_time": now}]})
    assert r.status_code == 200 and r.json()["accepted"] == 1 and r.json()["results"][0]["reason"] == "invalid"
    online = await client.post("/api/v1/checkin/scan", headers=auth(door.device_token),
                               json={"list_id": door.entry_list, "nonce": "o1", "token": huge})
    assert online.status_code == 200 and online.json()["result"] == "invalid"


async def test_the_same_batch_uploaded_twice_at_once_is_recorded_once(client, db):
    door = await make_door(20)
    _, door_b = await devices.create_device(door.event_id, "Door B", [], None)
    t0 = datetime.now(UTC) - timedelta(hours=1)
    batch = [{"list_id": door.entry_list, "nonce": f"a{i}", "token": await door.token(p),
              "client_time": (t0 + timedelta(seconds=i)).isoformat()} for i, p in enumerate(door.people)]
    first, retry = await asyncio.gather(*(client.post(OFFLINE, json={"scans": batch}, headers=auth(door.device_token))
                                          for _ in range(2)))
    assert first.status_code == retry.status_code == 200, (first.text, retry.text)
    for a, b in zip(first.json()["results"], retry.json()["results"], strict=True):
        assert {a["status"], b["status"]} <= {"accepted", "duplicate"}, (a, b)
    assert await CheckinScan.count() == 20
    assert await CheckinConflict.count() == 0  # no check-in in conflict with itself
    # the other door's later scans of the same people are its conflicts, and its retries work
    later = [{**s, "nonce": f"b{i}", "client_time": (t0 + timedelta(minutes=5, seconds=i)).isoformat()}
             for i, s in enumerate(batch)]
    for _ in range(2):
        r = await client.post(OFFLINE, json={"scans": later}, headers=auth(door_b))
        assert r.status_code == 200, r.text
    assert r.json()["duplicates"] == 20 and await CheckinConflict.count() == 20


async def test_an_earlier_scan_uploaded_twice_at_once_takes_the_place_once(client, db):
    door = await make_door(1)
    _, door_b = await devices.create_device(door.event_id, "Door B", [], None)
    badge = await door.token(door.people[0])
    t0 = datetime.now(UTC) - timedelta(hours=1)
    late = {"list_id": door.entry_list, "nonce": "late", "token": badge, "client_time": (t0 + timedelta(minutes=9)).isoformat()}
    assert (await client.post(OFFLINE, json={"scans": [late]}, headers=auth(door_b))).json()["accepted"] == 1
    early = {**late, "nonce": "early", "client_time": t0.isoformat()}
    answers = await asyncio.gather(*(client.post(OFFLINE, json={"scans": [early]}, headers=auth(door.device_token))
                                     for _ in range(2)))
    assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
    assert sorted(a.json()["results"][0]["status"] for a in answers) == ["accepted", "duplicate"]
    scan = await CheckinScan.select().first()
    assert scan["nonce_key"].endswith(":early") and await CheckinConflict.count() == 1

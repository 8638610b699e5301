"""The device API over HTTP: every scan outcome, device scoping, undo, search, sync, offline
upload, and live-count messages on the event's channel."""

import asyncio
import secrets
from datetime import UTC, datetime, timedelta

from litestar.channels import ChannelsPlugin

from confops.checkin import devices
from confops.checkin.tables import CheckinConflict, CheckinScan
from confops.registration.tables import Attendee
from tests.checkin.factory import add_people, make_door

SCAN = "/api/v1/checkin/scan"


def auth(token):
    return {"authorization": f"Bearer {token}"}


async def scan(client, door, token=None, list_id=None, nonce=None, bearer=None, **extra):
    body = {"list_id": list_id or door.entry_list, "nonce": nonce or secrets.token_hex(8), **extra}
    if token is not None:
        body["token"] = token
    return await client.post(SCAN, json=body, headers=auth(bearer or door.device_token))


async def test_every_scan_outcome_over_http(client):
    door = await make_door(2)
    badge = await door.token(door.people[0])
    r = await scan(client, door, badge)
    assert r.status_code == 200 and r.json()["result"] == "ok"
    assert r.json()["name"] == "Guest0 Person000" and r.json()["category"]
    r = await scan(client, door, badge)
    body = r.json()
    assert body["result"] == "already_checked_in" and body["station"] == "Door A" and body["checked_in_at"]
    # The last digit moves the tag alone. A digit further left may also move the claims by a
    # borrow, and a badge that claims a key generation rotated out is answered "revoked" before
    # any tag is checked (the old key is gone), which made this answer depend on the badge drawn.
    forged = badge[:-1] + str((int(badge[-1]) + 1) % 10)
    assert (await scan(client, door, forged)).json()["result"] == "invalid"
    assert (await scan(client, door, "not a badge")).json()["result"] == "invalid"
    other = await make_door(1, slug="other-meeting")
    assert (await scan(client, door, await other.token(other.people[0]))).json()["result"] == "wrong_event"
    second = await door.token(door.people[1])
    await Attendee.update({Attendee.token_version: 2}).where(Attendee.id == door.people[1])
    assert (await scan(client, door, second)).json()["result"] == "revoked"
    [unpaid] = await add_people(door.event_id, 1, order_status="awaiting_payment", total_cents=70000)
    r = await scan(client, door, await door.token(unpaid))
    assert r.json()["result"] == "unpaid" and "balance due $700.00" in r.json()["notes"]


async def test_device_scoping_and_revocation(client):
    door = await make_door(1)
    badge = await door.token(door.people[0])
    assert (await client.post(SCAN, json={"list_id": door.entry_list, "nonce": "x", "token": badge})).status_code == 401
    assert (await scan(client, door, badge, bearer="dev_not-a-device")).status_code == 401
    other = await make_door(1, slug="other-meeting")
    r = await scan(client, door, badge, list_id=other.entry_list)
    assert r.status_code == 403 and r.json()["code"] == "list_not_allowed"
    assert (await scan(client, door, badge, list_id=999999)).status_code == 404
    _, entry_only = await devices.create_device(door.event_id, "Entry only", [door.entry_list], None)
    r = await scan(client, door, badge, list_id=door.session_list, bearer=entry_only)
    assert r.status_code == 403
    assert (await scan(client, door, badge, bearer=entry_only)).json()["result"] == "ok"
    assert (await scan(client, door, badge, direction="out")).status_code == 422  # entry lists take "in" only
    assert (await client.post(SCAN, json={"list_id": door.entry_list, "nonce": "n"}, headers=auth(entry_only))
            ).status_code == 422  # neither token nor attendee_id
    await devices.revoke_device(door.event_id, door.device["id"])
    assert (await scan(client, door, badge)).status_code == 401
    assert (await client.get("/api/v1/checkin/sync", headers=auth(door.device_token))).status_code == 401


async def test_undo_search_and_desk_check_in(client):
    door = await make_door(3)
    badge = await door.token(door.people[2])
    assert (await scan(client, door, badge)).json()["result"] == "ok"
    r = await client.post("/api/v1/checkin/undo", headers=auth(door.device_token))
    assert r.json() == {"undone": True, "attendee_id": door.people[2], "list_id": door.entry_list}
    assert (await client.post("/api/v1/checkin/undo", headers=auth(door.device_token))).json()["undone"] is False
    found = (await client.get("/api/v1/checkin/search", params={"list_id": door.entry_list, "q": "person002"},
                              headers=auth(door.device_token))).json()["people"]
    assert [p["name"] for p in found] == ["Guest2 Person002"] and found[0]["checked_in_at"] is None
    r = await scan(client, door, attendee_id=found[0]["attendee_id"])
    assert r.json()["result"] == "ok"
    found = (await client.get("/api/v1/checkin/search", params={"list_id": door.entry_list, "q": "Person002"},
                              headers=auth(door.device_token))).json()["people"]
    assert found[0]["station"] == "Door A"


async def test_sync_gives_lists_key_and_revocation_map(client):
    door = await make_door(2)
    await Attendee.update({Attendee.token_version: 3}).where(Attendee.id == door.people[1])
    body = (await client.get("/api/v1/checkin/sync", headers=auth(door.device_token))).json()
    assert body["event_id"] == door.event_id and body["device"]["name"] == "Door A"
    assert {lst["id"] for lst in body["lists"]} >= {door.entry_list, door.session_list}
    assert body["people"][str(door.people[1])][0] == 3 and body["people"][str(door.people[0])][1] == "Guest0 Person000"
    assert len(body["key"]["secret"]) == 44


async def test_offline_upload_two_stations_one_check_in_one_conflict(client):
    door = await make_door(1)
    _, door_b = await devices.create_device(door.event_id, "Door B", [], None)
    badge = await door.token(door.people[0])
    t0 = datetime.now(UTC) - timedelta(minutes=5)
    item = {"list_id": door.entry_list, "token": badge}
    a = await client.post("/api/v1/checkin/offline", headers=auth(door.device_token), json={"scans": [
        {**item, "nonce": "a-1", "client_time": t0.isoformat()}]})
    b = await client.post("/api/v1/checkin/offline", headers=auth(door_b), json={"scans": [
        {**item, "nonce": "b-1", "client_time": (t0 + timedelta(seconds=30)).isoformat()}]})
    assert a.json()["accepted"] == 1 and b.json()["conflicts"] == 1
    assert b.json()["results"][0]["station"] == "Door A"
    again = await client.post("/api/v1/checkin/offline", headers=auth(door_b), json={"scans": [
        {**item, "nonce": "b-1", "client_time": (t0 + timedelta(seconds=30)).isoformat()}]})
    assert again.json()["duplicates"] == 1
    assert await CheckinScan.count() == 1 and await CheckinConflict.count() == 1
    online = await scan(client, door, badge)
    assert online.json()["result"] == "already_checked_in" and online.json()["station"] == "Door A"


async def test_accepted_scans_publish_live_count_deltas(client, app):
    door = await make_door(2)
    channels = app.plugins.get(ChannelsPlugin)
    received = []
    async with channels.start_subscription([f"checkin-{door.event_id}"]) as subscriber:
        await scan(client, door, await door.token(door.people[0]))
        await scan(client, door, await door.token(door.people[0]))  # a repeat changes no count
        await client.post("/api/v1/checkin/undo", headers=auth(door.device_token))

        async def take():
            async for message in subscriber.iter_events():
                received.append(message)
                if len(received) == 2:
                    return

        await asyncio.wait_for(take(), timeout=5)
    assert [m if isinstance(m, bytes) else m.encode() for m in received] == [
        f'{{"list_id":{door.entry_list},"delta":1}}'.encode(), f'{{"list_id":{door.entry_list},"delta":-1}}'.encode()]

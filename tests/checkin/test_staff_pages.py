"""Staff check-in pages over HTTP: roles, lists, pairing a device (token shown once), revoking it,
reviewing conflicts; and what check-in provides to the dashboard and exports."""

from confops.checkin.tables import CheckinList, ScannerDevice
from confops.core.extension import collect
from confops.events.tables import Event
from confops.registration.tables import Attendee, Order
from tests.support.http import post_form

BASE = "/staff/events/abs-national-meeting/checkin"


async def sign_in(client, email):
    r = await post_form(client, "/staff/login", {"email": email, "password": "confops-demo", "next": "/staff"},
                        page="/staff/login")
    assert r.status_code == 303


async def test_pair_scan_revoke_and_review(client, demo):
    assert (await client.get(BASE + "/")).status_code in (303, 401)
    await sign_in(client, "checkin@example.org")
    page = await client.get(BASE + "/")
    assert page.status_code == 200 and "Entry " in page.text and "Registration desk" in page.text
    event = await Event.select(Event.id).where(Event.slug == "abs-national-meeting").first()
    day_lists = await CheckinList.select().where(CheckinList.event == event["id"]).order_by(CheckinList.id)
    assert len(day_lists) == 3 and all(row["kind"] == "entry" for row in day_lists)
    # the demo's first morning at the desk (confops/demo/checkin.py) is already on the first list
    demo_in = (await client.get(BASE + "/counts")).json().get(str(day_lists[0]["id"]), 0)

    r = await post_form(client, BASE + "/devices", {"name": "Door B", "list_ids": str(day_lists[0]["id"])})
    assert r.status_code == 200
    token = r.text.split('id="device-token">')[1].split("<")[0]
    assert token.startswith("dev_") and "/checkin/scanner#device=" + token in r.text and "data:image/png" in r.text
    assert token not in (await client.get(BASE + "/")).text  # shown once
    device = await ScannerDevice.select().where(ScannerDevice.name == "Door B").first()
    assert device["token_hash"] != token and device["list_ids"] == str(day_lists[0]["id"])

    attendee = await Attendee.select(Attendee.id, Attendee.order).where(
        (Attendee.event == event["id"]) & (Attendee.status == "active")).first()
    # paid by complimentary confirmation, whatever the demo did with this order
    await Order.update({Order.status: "confirmed", Order.total_cents: 0}).where(Order.id == attendee["order"])
    headers = {"authorization": f"Bearer {token}"}
    sync = (await client.get("/api/v1/checkin/sync", headers=headers)).json()
    assert [lst["id"] for lst in sync["lists"]] == [day_lists[0]["id"]]
    from confops.checkin import service
    from tests.conftest import TEST_SECRET
    key = await service.event_key(event["id"], TEST_SECRET)
    row = await Attendee.select(Attendee.token_version).where(Attendee.id == attendee["id"]).first()
    badge = service.issue_token(key, attendee["id"], row["token_version"])
    item = {"list_id": day_lists[0]["id"], "token": badge}
    first = await client.post("/api/v1/checkin/offline", headers=headers, json={"scans": [
        {**item, "nonce": "1", "client_time": "2026-01-01T10:00:00+00:00"}]})
    assert first.json()["accepted"] == 1, first.text
    from confops.checkin import devices
    _, other = await devices.create_device(event["id"], "Door C", [], None)
    await client.post("/api/v1/checkin/offline", headers={"authorization": f"Bearer {other}"}, json={"scans": [
        {**item, "nonce": "2", "client_time": "2026-01-01T10:01:00+00:00"}]})
    page = await client.get(BASE + "/")
    assert "already checked in (first at Door B" in page.text
    counts = (await client.get(BASE + "/counts")).json()
    assert counts[str(day_lists[0]["id"])] == demo_in + 1

    conflict = page.text.split("/conflicts/")[1].split("/")[0]
    r = await post_form(client, f"{BASE}/conflicts/{conflict}/resolve", {"note": "one person, two doors"})
    assert r.status_code == 303
    assert "No conflicts." in (await client.get(BASE + "/")).text

    r = await post_form(client, f"{BASE}/devices/{device['id']}/revoke", {})
    assert r.status_code == 303
    assert (await client.get("/api/v1/checkin/sync", headers=headers)).status_code == 401

    panels = [p for group in await collect("dashboard_panels", event_id=event["id"]) for p in group]
    mine = [p for p in panels if p.key == f"checkin-{day_lists[0]['id']}"]
    assert mine[0].kind == "line" and mine[0].data[-1][1] == demo_in + 1
    from confops.backoffice.exports import tables_for
    [checkins] = await tables_for(event["id"], "checkins")
    assert checkins.headers[:4] == ["Name", "List", "Time", "Station"]
    door_b = [row for row in checkins.rows if row[3] == "Door B"]
    assert len(door_b) == 1 and door_b[0][5] == "offline"
    assert not any(row[3] == "Door C" for row in checkins.rows)  # the second scan was a conflict, not a check-in


async def test_session_lists_and_roles(client, demo):
    await sign_in(client, "cme@example.org")
    assert (await client.get(BASE + "/")).status_code == 403
    await post_form(client, "/logout", {}, page="/staff")
    await sign_in(client, "registrar@example.org")
    page = await client.get(BASE + "/")
    session_id = page.text.split('<option value="')[1].split('"')[0]
    r = await post_form(client, BASE + "/lists/sessions", {"session_id": session_id, "track_exit": "on"})
    assert r.status_code == 303
    made = await CheckinList.select().where(CheckinList.session == int(session_id)).first()
    assert made["kind"] == "session" and made["track_exit"]
    r = await post_form(client, BASE + "/lists/sessions", {"session_id": session_id})
    assert r.status_code == 422


async def test_the_check_in_page_says_lists_and_devices_in_words(client, demo):
    """What a newcomer at the desk reads (issue 30): a list's kind as a word, its day as a day,
    a device's last sync and revocation as the event's local time, and a revoke button short
    enough to fit a phone's table cell (the station's name is for screen readers)."""
    import re

    await sign_in(client, "checkin@example.org")
    r = await post_form(client, BASE + "/devices", {"name": "Door B"})
    token = r.text.split('id="device-token">')[1].split("<")[0]
    await client.get("/api/v1/checkin/sync", headers={"authorization": f"Bearer {token}"})
    desk = await ScannerDevice.select(ScannerDevice.id).where(ScannerDevice.name == "Registration desk").first()
    assert (await post_form(client, f"{BASE}/devices/{desk['id']}/revoke", {}, page=BASE + "/")).status_code == 303
    page = (await client.get(BASE + "/")).text
    assert "Revoked" in page
    cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", page, re.S)]
    assert "entry" not in cells and "Entry" in cells
    assert not any(re.search(r"\d{4}-\d\d-\d\d", c) for c in cells), cells
    assert not any("+00:00" in c or re.search(r"\d\d:\d\d:\d\d", c) for c in cells), cells
    buttons = re.findall(r"<button[^>]*>(.*?)</button>", page, re.S)
    assert not any(b.startswith("Revoke ") and "visually-hidden" not in b for b in buttons), buttons

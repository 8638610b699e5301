"""How early a scan into a session may count is the event's setting, edited by the coordinator
(issue 23), and the door follows it: scans posted to the device API at a CME event (on
PostgreSQL the batched door path, its evidence written in one transaction with the scans)
count or not by the same window as everything else. Both engines, through HTTP."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

from confops.checkin import devices, lists, service
from confops.cme.designation import activity_of
from confops.cme.rules import format_credit
from confops.cme.tables import CmeActivity
from confops.core import clock
from confops.demo.checkin import DEMO_DEVICE_TOKEN
from confops.events.tables import Event
from confops.registration.tables import Attendee
from tests.cme.support import SLUG, learner, meeting_over, session
from tests.cme.test_audit_rules import eligible
from tests.conftest import TEST_SECRET
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import post_form

URL = f"/staff/events/{SLUG}/cme"


async def designation_form(slug: str = SLUG) -> dict:
    """The designation form as the coordinator's page shows it filled in."""
    event = await Event.select().where(Event.slug == slug).first()
    a = await activity_of(event)
    form = {"provider": a["provider"], "accreditation": a["accreditation"], "learning_format": a["learning_format"],
            "location": a["location"], "evidence": a["evidence"], "min_presence_percent": str(a["min_presence_percent"]),
            "scan_early_minutes": str(a["scan_early_minutes"])}
    if a["evaluation_required"]:
        form["evaluation_required"] = "on"
    for t in a["credit_types"]:
        form.update({f"offer_{t['type']}": "on", f"max_{t['type']}": format_credit(t["quarters"]),
                     f"statement_{t['type']}": t["statement"],
                     f"accreditation_{t['type']}": t.get("accreditation") or ""})
    return form


async def window() -> int:
    row = await CmeActivity.select(CmeActivity.scan_early_minutes).where(CmeActivity.event.slug == SLUG).first()
    return row["scan_early_minutes"]


async def set_window(client, minutes: str) -> None:
    await staff_sign_in(client, "cme@example.org")
    r = await post_form(client, f"{URL}/designation", {**await designation_form(), "scan_early_minutes": minutes},
                        page=URL)
    assert r.status_code == 303, r.text


async def door_scan(client, attendee_id: int, list_id: int) -> str:
    event_id = (await Event.select(Event.id).where(Event.slug == SLUG).first())["id"]
    key = await service.event_key(event_id, TEST_SECRET)
    row = await Attendee.select(Attendee.token_version).where(Attendee.id == attendee_id).first()
    badge = service.issue_token(key, attendee_id, row["token_version"])
    r = await client.post("/api/v1/checkin/scan", json={"list_id": list_id, "nonce": secrets.token_hex(8),
                                                         "token": badge},
                          headers={"authorization": f"Bearer {DEMO_DEVICE_TOKEN}"})
    assert r.status_code == 200, r.text
    return r.json()["result"]


async def session_list(code: str) -> int:
    s = await session(code)
    devices.forget_cached()
    return (await lists.create_session_list(s["event"], s["id"], track_exit=True))["id"]


async def test_the_scan_window_is_the_coordinators_setting_refused_at_its_field_when_wrong(client, demo):
    await staff_sign_in(client, "cme@example.org")
    page = (await client.get(URL)).text
    assert 'name="scan_early_minutes"' in page and 'value="15"' in page.split('id="scan_early_minutes"')[1][:200]
    form = await designation_form()
    for bad in ("121", "-5", "7.5", "", "thirty", "٣٠", "1e2", "99999999999999999999"):
        r = await post_form(client, f"{URL}/designation", {**form, "scan_early_minutes": bad})
        assert r.status_code == 422 and 'id="scan_early_minutes-error"' in r.text, bad
        assert "A whole number of minutes from 0 to 120." in r.text
    assert await window() == 15
    # a learner cannot change it
    morgan = await learner("morgan@example.org")
    await sign_in(client, morgan["email"])
    r = await post_form(client, f"{URL}/designation", {**form, "scan_early_minutes": "120"}, page="/account/cme")
    assert r.status_code in (401, 403) and await window() == 15
    await set_window(client, " 45 ")
    assert await window() == 45
    assert 'value="45"' in (await client.get(URL)).text.split('id="scan_early_minutes"')[1][:200]
    await set_window(client, "0")
    assert await window() == 0


async def test_door_scans_count_by_the_events_window(client, demo):
    """45 minutes set: scans 40 minutes early (two at once, as a door sends them) count, one 50
    minutes early is kept as outside the session. With the old fixed 15 minutes neither counted."""
    await set_window(client, "45")
    await meeting_over()
    morgan, kai, lena = [await learner(e) for e in ("morgan@example.org", "kai@example.org", "lena@example.org")]
    p1 = await session("P1")
    p1_list = await session_list("P1")
    with clock.frozen_at(p1["starts_at"] - timedelta(minutes=50)):
        assert await door_scan(client, lena["id"], p1_list) == "ok"
    with clock.frozen_at(p1["starts_at"] - timedelta(minutes=40)):
        results = await asyncio.gather(door_scan(client, morgan["id"], p1_list), door_scan(client, kai["id"], p1_list))
        assert results == ["ok", "ok"]
    for person, expected in ((morgan, "1.25"), (kai, "1.25"), (lena, "0.00")):
        await sign_in(client, person["email"])
        assert eligible((await client.get(f"/account/cme/{person['id']}")).text) == expected, person["email"]
    await staff_sign_in(client, "cme@example.org")
    page = (await client.get(f"{URL}/learners")).text
    assert "1 scan outside the session" in page.split(f'id="a{lena["id"]}"')[1].split("</tr>")[0]
    assert "outside the session" not in page.split(f'id="a{morgan["id"]}"')[1].split("</tr>")[0]


async def test_a_window_of_nought_counts_scans_only_from_the_start(client, demo):
    """0 is a setting, not "unset": a scan five minutes before the start is outside it."""
    await set_window(client, "0")
    await meeting_over()
    morgan, kai = await learner("morgan@example.org"), await learner("kai@example.org")
    p1 = await session("P1")
    p1_list = await session_list("P1")
    with clock.frozen_at(p1["starts_at"] - timedelta(minutes=5)):
        assert await door_scan(client, morgan["id"], p1_list) == "ok"
    with clock.frozen_at(p1["starts_at"]):
        assert await door_scan(client, kai["id"], p1_list) == "ok"
    for person, expected in ((morgan, "0.00"), (kai, "1.25")):
        await sign_in(client, person["email"])
        assert eligible((await client.get(f"/account/cme/{person['id']}")).text) == expected, person["email"]

"""The public agenda's filters, the .ics downloads and the personal agenda feed, on both engines."""

from urllib.parse import urlparse

import icalendar

from confops.core.clock import local
from confops.events.tables import Session
from tests.speakers.people import sign_in
from tests.support.http import post_form

SLUG = "abs-national-meeting"


async def _session(code: str) -> dict:
    return await Session.select().where((Session.code == code) & (Session.event.slug == SLUG)).first()


async def test_agenda_filters_by_day_track_and_room(client, demo):
    clinical = (await client.get(f"/events/{SLUG}", params={"track": "Clinical practice"})).text
    assert "When the patient reminds us of someone" in clinical and "Starting a Balint group" not in clinical
    cedar = (await client.get(f"/events/{SLUG}", params={"room": "Cedar Room"})).text
    assert "Supervising new leaders" in cedar and "Caring for the carers" not in cedar
    w7 = await _session("W7")
    day = local(w7["starts_at"], "America/Los_Angeles").date().isoformat()
    third = (await client.get(f"/events/{SLUG}", params={"day": day})).text
    assert third.count('<section class="day"') == 1 and "Farewell lunch" in third and "Welcome dinner" not in third
    none = (await client.get(f"/events/{SLUG}", params={"room": "Nowhere"})).text
    assert "No sessions match these filters" in none


async def test_every_session_has_an_ics_download(client, demo):
    w3 = await _session("W3")
    r = await client.get(f"/events/{SLUG}/sessions/{w3['id']}/calendar.ics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/calendar")
    assert b"\r\n" in r.content and all(len(line) <= 75 for line in r.content.split(b"\r\n"))
    cal = icalendar.Calendar.from_ical(r.content)
    (event,) = cal.walk("VEVENT")
    assert str(event["SUMMARY"]) == "Co-leading across disciplines"
    assert event["DTSTART"].dt == w3["starts_at"] and event["DTEND"].dt == w3["ends_at"]
    assert str(event["UID"]) == f"session-{w3['id']}@testserver.local" and "Cedar Room" in str(event["LOCATION"])
    assert (await client.get(f"/events/{SLUG}/sessions/999999/calendar.ics")).status_code == 404


async def test_personal_agenda_subscribes_as_a_private_feed(client, demo):
    w3, g1 = await _session("W3"), await _session("G1")
    await sign_in(client, "attendee@example.org")
    page = f"/events/{SLUG}/sessions/{w3['id']}"
    assert "Add to my agenda" in (await client.get(page)).text
    assert (await post_form(client, f"/agenda/{w3['id']}", {}, page=page)).status_code == 303
    await post_form(client, f"/agenda/{g1['id']}", {})
    await post_form(client, f"/agenda/{g1['id']}", {})  # twice is once
    assert "Remove from my agenda" in (await client.get(page)).text
    agenda = (await client.get("/agenda")).text
    feed_url = next(part.split('"')[0] for part in agenda.split('value="') if "/calendar/" in part.split('"')[0])
    path = urlparse(feed_url).path
    client.cookies.clear()  # calendar apps have no session: the token is the key
    r = await client.get(path)
    assert r.status_code == 200
    events = icalendar.Calendar.from_ical(r.content).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == ["Balint small groups, session 1", "Co-leading across disciplines"]
    token = path.split("/")[2]
    assert len(token) >= 40
    assert (await client.get(path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B")))).status_code == 404
    await sign_in(client, "attendee@example.org")
    await post_form(client, f"/agenda/{g1['id']}/remove", {}, page="/agenda")
    client.cookies.clear()
    assert len(icalendar.Calendar.from_ical((await client.get(path)).content).walk("VEVENT")) == 1

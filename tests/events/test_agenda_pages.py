"""The public agenda's filters, the .ics downloads and the personal agenda feed, on both engines."""

import importlib.util
from pathlib import Path
from urllib.parse import urlparse

import icalendar

from confops.core.clock import local
from confops.events.tables import Session
from tests.speakers.people import sign_in
from tests.support.http import post_form

SLUG = "abs-national-meeting"
FEED_MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "confops_2026_12_06t18_10_00_000000.py"


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


async def test_the_calendar_address_comes_with_the_first_session_and_the_page_only_reads_it(client, demo):
    """Before a first session the agenda page offers no address (an empty agenda has nothing
    to subscribe to) and writes nothing; adding one makes it, once, and the page shows it."""
    from tests.registration.test_pure_reads import writes
    from tests.support.statements import statements_counted

    w3, g1 = await _session("W3"), await _session("G1")
    await sign_in(client, "attendee@example.org")
    with statements_counted() as seen:
        empty = await client.get("/agenda")
    assert empty.status_code == 200 and not writes(seen), writes(seen)
    assert "/calendar/" not in empty.text and "its calendar address appears here with the first" in empty.text
    await post_form(client, f"/agenda/{w3['id']}", {}, page=f"/events/{SLUG}/sessions/{w3['id']}")
    first = (await client.get("/agenda")).text
    await post_form(client, f"/agenda/{g1['id']}", {})
    with statements_counted() as seen:
        second = (await client.get("/agenda")).text
    assert not writes(seen), writes(seen)
    address = [p.split('"')[0] for p in first.split('value="') if "/calendar/" in p.split('"')[0]]
    assert address and address == [p.split('"')[0] for p in second.split('value="') if "/calendar/" in p.split('"')[0]]


async def test_people_with_sessions_on_their_agenda_are_given_a_calendar_address(demo):
    """The agenda page no longer makes the address: the migration makes one for each person who
    added sessions and has none, and leaves an existing one as it is."""
    from confops.events.tables import AgendaItem, CalendarFeed

    w3, g1 = (await _session("W3"))["id"], (await _session("G1"))["id"]
    await AgendaItem.insert(AgendaItem(user=7, session=w3), AgendaItem(user=7, session=g1),
                            AgendaItem(user=8, session=w3))
    await CalendarFeed.insert(CalendarFeed(user=8, token="k" * 43))
    spec = importlib.util.spec_from_file_location("calendar_feed_migration", FEED_MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for step in (await migration.forwards()).raw:
        await step()
    feeds = {r["user"]: r["token"] for r in await CalendarFeed.select(CalendarFeed.user, CalendarFeed.token)}
    assert feeds.keys() == {7, 8} and feeds[8] == "k" * 43 and len(feeds[7]) >= 40

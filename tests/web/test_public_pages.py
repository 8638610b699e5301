"""The public pages over HTTP, on both engines."""

import re

from confops.events.tables import Event, Session


async def test_home_shows_the_organizer_and_its_upcoming_events(client, demo):
    r = await client.get("/")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert "American Balint Society" in html and "Balint groups" in html
    assert "501(c)(3)" in html and "Empathy" in html and "International Balint Federation" in html
    assert "ABS National Meeting" in html and "Leader-Training Intensive" in html
    assert '<main id="main"' in html and 'aria-label="Main"' in html and "Skip to content" in html


async def test_events_by_kind_and_past(client, demo):
    r = await client.get("/events", params={"kind": "intensive"})
    assert r.status_code == 200
    assert "Leader-Training Intensive" in r.text and "Theme Day" not in r.text
    past = await client.get("/events", params={"when": "past"})
    assert "ABS National Meeting" in past.text and "Monthly Online" not in past.text


async def test_event_page_shows_the_agenda_by_day_time_and_room(client, demo):
    r = await client.get("/events/abs-national-meeting")
    assert r.status_code == 200
    html = r.text
    assert len(re.findall(r'<section class="day"', html)) == 3
    assert "Thursday" in html and "Friday" in html and "Saturday" in html
    assert "Cedar Room" in html and "Spruce Room" in html and "Group Suite" in html
    assert "Balint small groups, session 1" in html
    assert "Tacoma time (PDT)" in html and "America/Los_Angeles" not in html  # the zone as people say it
    assert "Αλέξανδρος Παπαδόπουλος" in html  # names in any script
    assert 'class="slot parallel"' in html


async def test_session_page_lists_its_speakers(client, demo):
    session = await Session.select().where(
        (Session.event.slug == "abs-national-meeting") & (Session.code == "W3")).first()
    r = await client.get(f"/events/abs-national-meeting/sessions/{session['id']}")
    assert r.status_code == 200, (session, r.text[:2000])
    assert "Co-leading across disciplines" in r.text
    assert "Nguyễn Thị Minh" in r.text and "José Martínez-Ruiz" in r.text and "(she/her)" in r.text


async def test_unknown_things_get_a_404_page_not_a_500(client, demo):
    for path in ("/events/nope", "/organizers/nope", "/events/abs-national-meeting/sessions/999999",
                 "/events/abs-national-meeting/sessions/0", "/events/abs-national-meeting/sessions/abc",
                 "/no/such/page", "/events/abs-national-meeting/sessions/99999999999999999999999"):
        r = await client.get(path)
        assert r.status_code == 404, path
        assert "text/html" in r.headers["content-type"] and "Not found" in r.text, path


async def test_bad_parameters_name_the_field(client, demo):
    r = await client.get("/events", params={"kind": "party"})
    assert r.status_code == 400 and "kind" in r.text
    r = await client.get("/events", params={"when": "tomorrow"})
    assert r.status_code == 400 and "when" in r.text


async def test_draft_events_are_not_public(client, demo):
    await Event.update({Event.status: "draft"}).where(Event.slug == "balint-theme-day")
    assert (await client.get("/events/balint-theme-day")).status_code == 404
    assert "Theme Day" not in (await client.get("/events")).text


async def test_html_in_data_is_escaped(client, demo):
    await Event.update({Event.title: "<script>alert(1)</script> Meeting"}).where(Event.slug == "abs-national-meeting")
    r = await client.get("/events/abs-national-meeting")
    assert "<script>alert(1)</script>" not in r.text and "&lt;script&gt;" in r.text
    r = await client.get("/")
    assert "<script>alert(1)</script>" not in r.text


async def test_stylesheet_is_served(client):
    r = await client.get("/static/confops.css")
    assert r.status_code == 200 and "--teal" in r.text

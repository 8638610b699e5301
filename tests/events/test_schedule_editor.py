"""The staff schedule editor over HTTP, on both engines: conflicts refused with field
messages, versions, and the change log with e-mail to the speakers affected."""

from confops.core.clock import local
from confops.events.tables import Event, Room, ScheduleChange, ScheduleVersion, Session
from tests.speakers.people import staff_sign_in
from tests.support.http import post_form
from tests.support.smtp import body_text

SLUG = "abs-national-meeting"
EDITOR = f"/staff/events/{SLUG}/schedule"


async def _session(code: str) -> dict:
    return await Session.select().where((Session.code == code) & (Session.event.slug == SLUG)).first()


def _form(s: dict, tz: str, **changes) -> dict:
    values = {"code": s["code"], "title": s["title"], "kind": s["kind"],
              "starts_at": local(s["starts_at"], tz).strftime("%Y-%m-%dT%H:%M"),
              "ends_at": local(s["ends_at"], tz).strftime("%Y-%m-%dT%H:%M"),
              "room": str(s["room"] or ""), "track": str(s["track"] or ""),
              "capacity": "" if s["capacity"] is None else str(s["capacity"]),
              "credit_quarters": str(s["credit_quarters"])}
    return {**values, **changes}


async def test_conflicts_are_refused_with_a_message_per_field(client, demo):
    tz = "America/Los_Angeles"
    w1, w2, g2, p2 = [await _session(c) for c in ("W1", "W2", "G2", "P2")]
    await staff_sign_in(client, "registrar@example.org")
    assert (await client.get(EDITOR)).status_code == 200
    # W2 into W1's room at the same time, with more seats than the room has
    r = await post_form(client, f"{EDITOR}/sessions/{w2['id']}", _form(w2, tz, room=str(w1["room"]), capacity="90"))
    assert r.status_code == 422
    assert "already booked for “Starting a Balint group in a residency”" in r.text
    assert "over the room&#39;s capacity (60)" in r.text
    # G2 (Maya, Samuel) moved onto the keynote where they both speak
    r = await post_form(client, f"{EDITOR}/sessions/{g2['id']}", _form(g2, tz, starts_at=_form(p2, tz)["starts_at"],
                                                                      ends_at=_form(p2, tz)["ends_at"]))
    assert r.status_code == 422
    assert "Maya Goldberg is double-booked" in r.text and "Samuel Okafor is double-booked" in r.text
    r = await post_form(client, f"{EDITOR}/sessions/{w1['id']}", _form(w1, tz, starts_at="2031-01-01T09:00",
                                                                      ends_at="2031-01-01T10:00"))
    assert r.status_code == 422 and "outside the event" in r.text
    r = await post_form(client, f"{EDITOR}/sessions/{w1['id']}", _form(w1, tz, starts_at="soon", kind="party"))
    assert r.status_code == 422 and 'id="starts_at-error"' in r.text and 'id="kind-error"' in r.text
    assert await _session("W1") == w1 and await _session("W2") == w2 and await ScheduleChange.count() == 0


async def test_rooms_tracks_and_new_sessions(client, demo):
    await staff_sign_in(client)
    assert (await post_form(client, f"{EDITOR}/rooms", {"name": "Birch Room", "capacity": "30"}, page=EDITOR)).status_code == 303
    r = await post_form(client, f"{EDITOR}/rooms", {"name": "Birch Room", "capacity": "x"})
    assert r.status_code == 422 and "already has a room" in r.text and "whole number" in r.text
    assert (await post_form(client, f"{EDITOR}/tracks", {"name": "Research"})).status_code == 303
    birch = await Room.select().where(Room.name == "Birch Room").first()
    event = await Event.select().where(Event.slug == SLUG).first()
    day = local(event["starts_at"], event["timezone"]).strftime("%Y-%m-%d")
    r = await post_form(client, f"{EDITOR}/sessions", {"code": "W9", "title": "Poster walk", "kind": "workshop",
                                                      "starts_at": f"{day}T16:15", "ends_at": f"{day}T17:00",
                                                      "room": str(birch["id"]), "capacity": "25"})
    assert r.status_code == 303
    new = await _session("W9")
    assert new["room"] == birch["id"] and new["published"] is False  # drafts stay hidden until published


async def test_changes_after_publishing_are_logged_and_mailed_to_speakers(client, demo, inbox, deliver):
    tz = "America/Los_Angeles"
    assert await ScheduleVersion.count() == 1  # the demo's published version
    w1 = await _session("W1")
    await staff_sign_in(client, "registrar@example.org")
    start = local(w1["starts_at"], tz).replace(hour=19, minute=0)
    r = await post_form(client, f"{EDITOR}/sessions/{w1['id']}", _form(
        w1, tz, starts_at=start.strftime("%Y-%m-%dT%H:%M"), ends_at=start.replace(hour=20).strftime("%Y-%m-%dT%H:%M")),
        page=EDITOR)
    assert r.status_code == 303
    change = await ScheduleChange.select().first()
    assert change["after_version"] == 1 and "time changed" in change["summary"]
    assert "time changed" in (await client.get(EDITOR)).text
    await deliver()
    mail = inbox.wait_for("jordan@example.org")[0]
    assert mail["Subject"].startswith("Program change") and "7:00 PM" in body_text(mail)
    assert inbox.to("maya@example.org") == []  # only the people of the changed session
    r = await post_form(client, f"{EDITOR}/versions", {})
    assert r.status_code == 303 and await ScheduleVersion.count() == 2

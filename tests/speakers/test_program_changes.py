"""After the program is published: who is told when a session moves or is cancelled, who may
download a session's slides, and that a speaker who withdrew leaves the public program."""

from __future__ import annotations

import io
from datetime import timedelta

from pypdf import PdfReader

from confops.accounts.service import create_user
from confops.core import clock
from confops.core.auth import Role
from confops.core.tables import OutboxMessage
from confops.events.schedule import registrant_emails
from confops.events.tables import Event, Room, ScheduleChange, Session
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.mine import confirmed_registrant_emails
from confops.registration.orders import place_order
from confops.speakers.tables import SessionMaterial
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import post_form

SLUG = "abs-national-meeting"
CONFIRMED = ["kai@example.org", "lena@example.org", "morgan@example.org"]  # the demo's paid orders


async def _session(code: str) -> dict:
    return await Session.select().where((Session.code == code) & (Session.event.slug == SLUG)).first()


async def _unpaid(email: str = "unpaid@example.org") -> None:
    await place_order(SLUG, OrderIn(buyer_name="Una Paid", buyer_email=email, idempotency_key=email, attendees=[
        AttendeeIn(category="member", email=email, first_name="Una", last_name="Paid",
                   answers={"first_meeting": "yes"})]), hold_minutes=30, base_url="http://testserver.local")


async def _not_registered(email: str) -> str:
    """A signed-up account with no registration for the meeting: the demo's own people may be
    registered by some area's demo data, so the tests make the outsider they need."""
    await create_user(email, "Outside Person", roles=[("abs", Role.attendee)])
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    assert email not in await confirmed_registrant_emails(event["id"])
    return email


async def _form(row: dict, **changes) -> dict:
    tz = (await Event.select(Event.timezone).where(Event.slug == SLUG).first())["timezone"]
    values = {"title": row["title"], "kind": row["kind"], "code": row["code"],
              "starts_at": clock.local(row["starts_at"], tz).strftime("%Y-%m-%dT%H:%M"),
              "ends_at": clock.local(row["ends_at"], tz).strftime("%Y-%m-%dT%H:%M"),
              "room": str(row["room"] or ""), "track": str(row["track"] or ""),
              "capacity": str(row["capacity"] or ""), "credit_quarters": str(row["credit_quarters"] or 0)}
    return {**values, **changes}


async def _told(summary_part: str) -> list[str]:
    change = await ScheduleChange.select().where(ScheduleChange.summary.like(f"%{summary_part}%")).first()
    assert change, summary_part
    rows = await OutboxMessage.select(OutboxMessage.to_address).where(
        OutboxMessage.dedupe_key.like(f"schedule-change:{change['id']}:%"))
    return sorted(r["to_address"] for r in rows)


async def test_moves_and_cancellations_reach_the_registrants_they_concern(client, demo):
    await _unpaid()
    follower = await _not_registered("follower@example.org")
    p2, w5, p3 = await _session("P2"), await _session("W5"), await _session("P3")
    await sign_in(client, follower)  # follows W5 on their personal agenda, without registering
    assert (await post_form(client, f"/agenda/{w5['id']}", {}, page=f"/events/{SLUG}/sessions/{w5['id']}")).status_code == 303

    await staff_sign_in(client, "registrar@example.org")
    editor = f"/staff/events/{SLUG}/schedule"
    # a core session (keynote) moves by half an hour: every confirmed registrant and its speakers
    later = clock.local(p2["starts_at"], "America/Los_Angeles")
    r = await post_form(client, f"{editor}/sessions/{p2['id']}", await _form(
        p2, starts_at=(later + timedelta(minutes=15)).strftime("%Y-%m-%dT%H:%M"),
        ends_at=(later + timedelta(minutes=75)).strftime("%Y-%m-%dT%H:%M")), page=editor)
    assert r.status_code == 303, r.text
    told = await _told("Keynote")
    assert set(CONFIRMED) <= set(told) and "samuel@example.org" in told and "maya@example.org" in told
    assert "unpaid@example.org" not in told and follower not in told

    # a workshop changes room: the people following it, not the whole meeting
    suite = await Room.select().where((Room.name == "Group Suite") & (Room.event == w5["event"])).first()
    r = await post_form(client, f"{editor}/sessions/{w5['id']}", await _form(w5, room=str(suite["id"])))
    assert r.status_code == 303, r.text
    assert await _told("room changed to Group Suite") == [follower, "priya@example.org"]
    assert await registrant_emails(w5["id"], moved=False) == [follower]

    # a core session is cancelled (taken out of the published program)
    r = await post_form(client, f"{editor}/sessions/{p3['id']}/published", {"published": "no"})
    assert r.status_code == 303
    told = await _told("is cancelled")
    assert set(CONFIRMED) <= set(told) and "unpaid@example.org" not in told
    assert "Closing plenary" not in (await client.get(f"/events/{SLUG}")).text
    mail = await OutboxMessage.select().where(OutboxMessage.to_address == "kai@example.org").order_by(OutboxMessage.id)
    assert "Closing plenary and reflections" in mail[-1]["payload"] and "cancelled" in mail[-1]["payload"]


async def test_slides_reach_confirmed_registrants_after_the_session_when_allowed(client, demo, settings):
    w7 = await _session("W7")
    await _unpaid("lena.unpaid@example.org")
    outsider = await _not_registered("outsider@example.org")
    stored = settings.var_dir / "uploads" / "materials"
    stored.mkdir(parents=True, exist_ok=True)
    (stored / "w7.pdf").write_bytes(b"%PDF-1.4\n%slides\n")
    shared = SessionMaterial(session=w7["id"], speaker=(await _olga()), kind="pdf", filename="slides.pdf",
                             stored_path="materials/w7.pdf", mime_type="application/pdf", size=17,
                             share_after_session=True)
    await shared.save()
    private = SessionMaterial(session=w7["id"], speaker=(await _olga()), kind="pdf", filename="notes.pdf",
                              stored_path="materials/w7.pdf", mime_type="application/pdf", size=17,
                              share_after_session=False)
    await private.save()
    page_url = f"/events/{SLUG}/sessions/{w7['id']}"
    link = f"{page_url}/materials/{shared.id}"

    await sign_in(client, "kai@example.org")
    assert "slides.pdf" not in (await client.get(page_url)).text  # not before the session ends
    assert (await client.get(link)).status_code == 404
    with clock.frozen_at(w7["ends_at"] + timedelta(minutes=1)):
        page = (await client.get(page_url)).text
        assert "slides.pdf" in page and "notes.pdf" not in page  # only what the speaker shares
        got = await client.get(link)
        assert got.status_code == 200 and got.content.startswith(b"%PDF")
        assert (await client.get(f"{page_url}/materials/{private.id}")).status_code == 404
        for person in ("lena.unpaid@example.org", outsider):  # unpaid, not registered
            await sign_in(client, person)
            assert "slides.pdf" not in (await client.get(page_url)).text
            assert (await client.get(link)).status_code == 404
        await staff_sign_in(client, "registrar@example.org")
        assert (await client.get(link)).status_code == 200


async def _olga() -> int:
    from confops.speakers.tables import Speaker

    return (await Speaker.select(Speaker.id).where(Speaker.email == "olga@example.org").first())["id"]


async def test_a_withdrawn_speaker_leaves_the_public_program(client, demo):
    w3 = await _session("W3")  # Minh and José
    await sign_in(client, "minh@example.org")
    r = await post_form(client, f"/speaker/sessions/{w3['id']}/answer", {"answer": "withdrawn"}, page="/speaker")
    assert r.status_code in (200, 303), r.text
    await sign_in(client, "attendee@example.org")
    event_page = (await client.get(f"/events/{SLUG}")).text
    session_page = (await client.get(f"/events/{SLUG}/sessions/{w3['id']}")).text
    pdf = await client.get(f"/events/{SLUG}/program.pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    from confops.speakers.tables import Speaker

    minh = await Speaker.select().where(Speaker.email == "minh@example.org").first()
    jose = await Speaker.select().where(Speaker.email == "jose@example.org").first()
    for shown in (event_page, session_page):
        assert minh["last_name"] not in shown and jose["last_name"] in shown
    assert minh["last_name"] not in text and jose["last_name"] in text
    await staff_sign_in(client, "registrar@example.org")
    editor = (await client.get(f"/staff/events/{SLUG}/schedule")).text
    assert minh["last_name"] in editor and "withdrawn" in editor  # staff still see who withdrew

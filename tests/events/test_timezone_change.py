"""Changing an event's timezone once it has sessions or orders asks first, saying what moves
(local wall times are kept: the sessions stay at their local time of day, so their instants
move), and saves nothing until staff confirm that very timezone."""

from confops.backoffice.tables import AuditEntry
from confops.core.clock import local
from confops.events.tables import Event, Session
from tests.events.setup_form import form_values
from tests.events.test_event_setup import NEW
from tests.registration.test_staff import sign_in
from tests.support.http import post_form

EDIT = "/staff/events/balint-theme-day/edit"


async def _state() -> tuple[dict, list[dict]]:
    event = await Event.select().where(Event.slug == "balint-theme-day").first()
    return event, await Session.select().where(Session.event == event["id"]).order_by(Session.code)


async def test_a_timezone_change_is_confirmed_first_and_keeps_local_times(client, demo):
    body = {"buyer_name": "Zoe Zone", "buyer_email": "zoe@example.org", "idempotency_key": "timezone-change-0001",
            "attendees": [{"category": "member", "email": "zoe@example.org", "first_name": "Zoe", "last_name": "Zone",
                           "answers": {"first_meeting": "no"}}]}
    assert (await client.post("/api/v1/events/balint-theme-day/orders", json=body)).status_code == 201
    await sign_in(client, "registrar@example.org")
    values = form_values((await client.get(EDIT)).text)
    assert values["timezone"] == "America/Chicago"
    before, sessions_before = await _state()

    r = await post_form(client, EDIT, {**values, "timezone": "America/New_York"})
    assert r.status_code == 409
    assert 'id="timezone-confirmation"' in r.text and 'name="confirm_timezone" value="America/New_York"' in r.text
    text = r.text.replace("&#34;", '"')
    assert f"each of the {len(sessions_before)} sessions keeps its local time of day" in text
    assert "1 hour earlier than now" in text and "The order already placed keeps its amounts" in text
    assert "Nothing is saved until you confirm" in text
    # a confirmation for another timezone (a stale page) is not a confirmation
    r = await post_form(client, EDIT, {**values, "timezone": "America/New_York", "confirm_timezone": "America/Denver"})
    assert r.status_code == 409
    assert await _state() == (before, sessions_before)  # nothing saved

    r = await post_form(client, EDIT, {**values, "timezone": "America/New_York", "confirm_timezone": "America/New_York"})
    assert r.status_code == 303
    after, sessions_after = await _state()
    assert after["timezone"] == "America/New_York"
    assert local(after["starts_at"], "America/New_York").replace(tzinfo=None) == \
        local(before["starts_at"], "America/Chicago").replace(tzinfo=None)
    for a, b in zip(sessions_before, sessions_after, strict=True):
        assert local(b["starts_at"], "America/New_York").replace(tzinfo=None) == \
            local(a["starts_at"], "America/Chicago").replace(tzinfo=None), a["code"]
        assert (b["starts_at"] - a["starts_at"]).total_seconds() == -3600  # an hour earlier as an instant
    entry = await AuditEntry.select().where(AuditEntry.action == "event_edited").order_by(
        AuditEntry.id, ascending=False).first()
    assert "America/New_York" in entry["after"] and "America/Chicago" in entry["before"]
    shown = form_values((await client.get(EDIT)).text)
    assert shown["starts_at"] == values["starts_at"]  # the form reads as before


async def test_a_new_event_without_sessions_or_orders_changes_timezone_at_once(client, demo):
    await sign_in(client, "registrar@example.org")
    assert (await post_form(client, "/staff/events/new", NEW, page="/staff/events/new")).status_code == 303
    values = form_values((await client.get("/staff/events/spring-theme-day/edit")).text)
    r = await post_form(client, "/staff/events/spring-theme-day/edit", {**values, "timezone": "Europe/Berlin"})
    assert r.status_code == 303
    assert (await Event.select(Event.timezone).where(Event.slug == "spring-theme-day").first())["timezone"] == \
        "Europe/Berlin"

"""The payment term and reminder settings on the event set-up page: each checked at its field with
nothing saved on any error, saved together and audited, and used by the next invoice order."""

from datetime import timedelta

from confops.backoffice.tables import AuditEntry
from confops.core import clock
from confops.events.tables import Event
from confops.registration.tables import EventSales, Order
from confops.series.tables import SeriesPlan
from tests.events.setup_form import form_values
from tests.registration.test_staff import sign_in
from tests.support.http import post_form

THEME = "/staff/events/balint-theme-day"
SERIES = "/staff/events/online-residents-group"


async def _sales(slug: str) -> dict:
    event = await Event.select(Event.id).where(Event.slug == slug).first()
    return await EventSales.select().where(EventSales.event == event["id"]).first()


async def test_payment_and_reminder_settings_are_checked_saved_and_audited(client, demo):
    await sign_in(client, "registrar@example.org")
    page = await client.get(f"{THEME}/edit")
    values = form_values(page.text)
    assert values["payment_term_days"] == "14" and values["reminder_days"] == "7,2"
    assert "pre_event_days" in values and "reminder_hours" not in values  # not an online event
    before = await _sales("balint-theme-day")

    for field, bad in (("payment_term_days", "0"), ("payment_term_days", "abc"), ("payment_term_days", "500"),
                       ("payment_term_days", ""), ("payment_term_days", "1e3"),
                       ("reminder_days", "7;2"), ("reminder_days", "20,2"), ("reminder_days", "0"),
                       ("reminder_days", "-1"), ("reminder_days", "1,2,3,4,5,6"),
                       ("pre_event_days", "-1"), ("pre_event_days", "61"), ("pre_event_days", "two"),
                       ("payment_instructions", "IBAN " * 500)):
        r = await post_form(client, f"{THEME}/edit", {**values, field: bad, "title": "Changed title"})
        assert r.status_code == 422, (field, bad, r.status_code)
        assert f'id="{field}-error"' in r.text, (field, bad)
        assert (await _sales("balint-theme-day")) == before, (field, bad)  # nothing half-saved
        assert (await Event.select(Event.title).where(Event.slug == "balint-theme-day").first())["title"] != "Changed title"
    # a reminder earlier than the term would never go out: said at the field, with the term
    r = await post_form(client, f"{THEME}/edit", {**values, "payment_term_days": "10", "reminder_days": "10,2"})
    assert r.status_code == 422 and "10-day payment term" in r.text

    r = await post_form(client, f"{THEME}/edit", {**values, "payment_term_days": "30", "reminder_days": "3, 10",
                                                  "pre_event_days": "5",
                                                  "payment_instructions": "Bank: First Bank, account 123"})
    assert r.status_code == 303, r.text[:500]
    after = await _sales("balint-theme-day")
    assert (after["payment_term_days"], after["reminder_days"], after["pre_event_days"]) == (30, "10,3", 5)
    assert after["payment_instructions"] == "Bank: First Bank, account 123"
    entry = await AuditEntry.select().where(AuditEntry.action == "event_edited").order_by(
        AuditEntry.id, ascending=False).first()
    assert '"payment_term_days": 30' in entry["after"] and '"payment_term_days": 14' in entry["before"]
    shown = form_values((await client.get(f"{THEME}/edit")).text)
    assert (shown["payment_term_days"], shown["reminder_days"], shown["pre_event_days"]) == ("30", "10,3", "5")

    # the next invoice order holds its places for the new term (the start still caps it)
    client.cookies.clear()
    body = {"buyer_name": "Ines Voice", "buyer_email": "ines@example.org", "idempotency_key": "term-setting-0001",
            "payment_method": "invoice",
            "attendees": [{"category": "member", "email": "ines@example.org", "first_name": "Ines",
                           "last_name": "Voice", "answers": {"first_meeting": "no"}}]}
    r = await client.post("/api/v1/events/balint-theme-day/orders", json=body)
    assert r.status_code == 201, r.text
    order = await Order.select().where(Order.id == r.json()["id"]).first()
    event = await Event.select(Event.starts_at).where(Event.slug == "balint-theme-day").first()
    expected = min(clock.now() + timedelta(days=30), event["starts_at"])
    assert abs((order["expires_at"] - expected).total_seconds()) < 120
    assert order["expires_at"] > clock.now() + timedelta(days=min(20, (event["starts_at"] - clock.now()).days))


async def test_an_online_series_sets_its_reminder_hours_on_the_same_page(client, demo):
    await sign_in(client, "registrar@example.org")
    values = form_values((await client.get(f"{SERIES}/edit")).text)
    assert values["reminder_hours"] == "24"
    event = await Event.select(Event.id).where(Event.slug == "online-residents-group").first()
    for bad in ("0", "", "1000", "12.5"):
        r = await post_form(client, f"{SERIES}/edit", {**values, "reminder_hours": bad, "payment_term_days": "20"})
        assert r.status_code == 422 and 'id="reminder_hours-error"' in r.text, bad
        assert (await _sales("online-residents-group"))["payment_term_days"] == 14, bad
    r = await post_form(client, f"{SERIES}/edit", {**values, "reminder_hours": "48"})
    assert r.status_code == 303
    plan = await SeriesPlan.select().where(SeriesPlan.event == event["id"]).first()
    assert plan["reminder_hours"] == 48 and plan["min_enrolment"] == 8  # the rest of the plan kept
    assert await AuditEntry.exists().where(AuditEntry.action == "series_reminder_hours_set")
    assert form_values((await client.get(f"{SERIES}/edit")).text)["reminder_hours"] == "48"

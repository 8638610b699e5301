"""Online group series through HTTP: meeting links only for confirmed, paid-up registrants and
only from the reminder time; the minimum enrolment decided once, both ways, with the no-go's
refunds read back from the Stripe emulator."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlparse

import httpx

from confops.core import clock
from confops.events.tables import Event, Session
from confops.payments.service import record_manual_payment, settle_intent, start_checkout
from confops.payments.tables import Refund
from confops.registration.tables import Attendee, Order
from confops.series.service import decide_due, send_reminders
from confops.series.tables import MeetingReminder, SeriesPlan
from tests.payments.conftest import SECRET_KEY
from tests.payments.test_stripe_flow import confirm_at_localstripe
from tests.registration.test_staff import sign_in
from tests.support.http import links_in, post_form
from tests.support.smtp import body_text

SLUG = "online-residents-group"
BASE = f"/staff/events/{SLUG}/series"
LINK = "https://meet.example.org/group-s1?pwd=secret-room"


async def _order(client, n: int) -> dict:
    body = {"buyer_name": f"Resident {n}", "buyer_email": f"r{n}@example.org", "idempotency_key": f"series-order-{n:04d}",
            "attendees": [{"category": "resident", "email": f"r{n}@example.org", "first_name": f"Res{n}",
                           "last_name": "Ident", "answers": {"first_meeting": "yes"}}]}
    r = await client.post(f"/api/v1/events/{SLUG}/orders", json=body)
    assert r.status_code == 201, r.text
    return r.json()


async def _setup(client, minimum: int) -> tuple[dict, list[dict]]:
    event = await Event.select().where(Event.slug == SLUG).first()
    sessions = await Session.select().where(Session.event == event["id"]).order_by(Session.starts_at)
    await sign_in(client, "registrar@example.org")
    first = sessions[0]["id"]
    for bad in ("http://meet.example.org/x", "javascript:alert(1)", "https://meet.example.org/a b"):
        r = await post_form(client, f"{BASE}/sessions/{first}", {"url": bad, "passcode": ""}, page=BASE + "/")
        assert r.status_code == 422 and f'id="url_{first}-error"' in r.text, bad
    r = await post_form(client, f"{BASE}/sessions/{first}", {"url": LINK, "passcode": "4321"})
    assert r.status_code == 303
    start = clock.local(event["starts_at"], event["timezone"])
    late = (start + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    r = await post_form(client, f"{BASE}/plan", {"min_enrolment": str(minimum), "go_no_go_at": late,
                                                 "reminder_hours": "24"})
    assert r.status_code == 422 and 'id="go_no_go_at-error"' in r.text
    decide = (start - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    r = await post_form(client, f"{BASE}/plan", {"min_enrolment": str(minimum), "go_no_go_at": decide,
                                                 "reminder_hours": "24"})
    assert r.status_code == 303
    client.cookies.clear()
    return event, sessions


async def test_only_confirmed_paid_registrants_see_the_link_and_only_from_the_reminder_time(client, demo, deliver, inbox):
    event, sessions = await _setup(client, minimum=1)
    paid, unpaid = await _order(client, 1), await _order(client, 2)
    await record_manual_payment(paid["id"], method="cheque", amount_cents=paid["total_cents"], reference="chq 1",
                                recorded_by=None)
    page = await client.get(f"/orders/{paid['id']}", params={"token": paid["token"]})
    assert LINK not in page.text and "once the series is confirmed to run" in page.text
    with clock.frozen_at(event["starts_at"] - timedelta(days=2)):
        assert await decide_due() == 1
        assert await decide_due() == 0  # once
        assert (await SeriesPlan.select().where(SeriesPlan.event == event["id"]).first())["decision"] == "go"
        page = await client.get(f"/orders/{paid['id']}", params={"token": paid["token"]})
        assert LINK not in page.text and "the link appears here" in page.text  # too early
    with clock.frozen_at(sessions[0]["starts_at"] - timedelta(hours=3)):
        page = await client.get(f"/orders/{paid['id']}", params={"token": paid["token"]})
        assert LINK.replace("&", "&amp;") in page.text and "4321" in page.text
        other = await client.get(f"/orders/{unpaid['id']}", params={"token": unpaid["token"]})
        assert LINK not in other.text and "once your registration is confirmed" in other.text
        for anonymous in (f"/events/{SLUG}", f"/api/v1/events/{SLUG}", f"/events/{SLUG}/sessions/{sessions[0]['id']}"):
            r = await client.get(anonymous)
            assert r.status_code == 200 and "meet.example.org" not in r.text and "4321" not in r.text, anonymous
        # the registrant's account shows the same link once they sign in with an e-mailed link
        await post_form(client, "/login", {"email": "r1@example.org", "next": "/account/registrations"}, page="/login")
        await deliver()
        link = next(u for u in links_in(body_text(inbox.wait_for("r1@example.org")[-1])) if "/login/link/" in u)
        await post_form(client, urlparse(link).path, {}, page=urlparse(link).path)
        mine = await client.get("/account/registrations")
        assert LINK.replace("&", "&amp;") in mine.text
        client.cookies.clear()
        inbox.clear()
        assert await send_reminders() == 1
        assert await send_reminders() == 0
        await deliver()
    mails = [m for m in inbox.messages if m["To"] == "r1@example.org" and "link" in m["Subject"].lower()]
    assert len(mails) == 1 and LINK in mails[0].get_body(("plain",)).get_content()
    assert not [m for m in inbox.messages if m["To"] == "r2@example.org"
                and "meet.example.org" in m.get_body(("plain",)).get_content()]
    assert await MeetingReminder.count() == 1


async def test_series_below_its_minimum_is_cancelled_once_and_everyone_refunded(client, demo, deliver, inbox, localstripe):
    event, _ = await _setup(client, minimum=5)
    by_card, by_cheque = await _order(client, 1), await _order(client, 2)
    intent = await start_checkout(by_card["id"])
    await confirm_at_localstripe(localstripe, intent.id, "pm_card_visa")
    from confops.payments.gateway import stripe

    assert await settle_intent(await stripe().read_intent(intent.id)) == "confirmed"
    await record_manual_payment(by_cheque["id"], method="cheque", amount_cents=by_cheque["total_cents"],
                                reference="chq 2", recorded_by=None)
    inbox.clear()
    with clock.frozen_at(event["starts_at"] - timedelta(days=2)):
        assert await decide_due() == 1
        assert await decide_due() == 0
        await deliver()  # queued at the decision's time
    plan = await SeriesPlan.select().where(SeriesPlan.event == event["id"]).first()
    assert plan["decision"] == "no_go" and "2 confirmed" in plan["decision_note"]
    assert (await Event.select(Event.status).where(Event.id == event["id"]).first())["status"] == "cancelled"
    assert {o["status"] for o in await Order.select(Order.status).where(Order.event == event["id"])} == {"cancelled"}
    assert {a["status"] for a in await Attendee.select(Attendee.status).where(Attendee.event == event["id"])} == {"cancelled"}
    async with httpx.AsyncClient() as http:
        listed = (await http.get(f"{localstripe}/v1/refunds", params={"payment_intent": intent.id},
                                 headers={"Authorization": f"Bearer {SECRET_KEY}"})).json()
    assert [r["amount"] for r in listed["data"]] == [by_card["total_cents"]]  # in full, once
    assert await Refund.count().where(Refund.order == by_card["id"]) == 1
    told = {m["To"] for m in inbox.messages if "Cancelled by the organizers" in m["Subject"]}
    assert told == {"r1@example.org", "r2@example.org"}
    await sign_in(client, "registrar@example.org")
    page = await client.get(f"/staff/events/{SLUG}/edit")
    assert 'id="by-hand"' in page.text and "Resident 2" in page.text and "Resident 1" not in page.text.split('id="by-hand"')[1]
    r = await client.post(f"/api/v1/events/{SLUG}/orders", json={
        "buyer_name": "Late", "buyer_email": "late@example.org", "idempotency_key": "series-order-late",
        "attendees": [{"category": "resident", "email": "late@example.org", "first_name": "L", "last_name": "Ate",
                       "answers": {"first_meeting": "no"}}]})
    assert r.status_code == 409

"""Staff registration pages: registrar role required; search, complimentary registration,
accessibility follow-up, resend confirmation; fields escaped."""

from confops.core.outbox import deliver_due
from confops.registration.tables import Attendee, Order
from tests.support.http import post_form


async def sign_in(client, email):
    r = await post_form(client, "/staff/login", {"email": email, "password": "confops-demo", "next": "/staff"},
                        page="/staff/login")
    assert r.status_code == 303


async def test_registrar_lists_searches_and_registers_complimentary(client, demo, app, inbox):
    base = "/staff/events/abs-national-meeting/registrations"
    assert (await client.get(base + "/")).status_code in (303, 401)
    await sign_in(client, "checkin@example.org")
    assert (await client.get(base + "/")).status_code == 403  # staff, but not a registrar
    await post_form(client, "/logout", {}, page="/staff")
    await sign_in(client, "registrar@example.org")
    listing = await client.get(base + "/")
    assert listing.status_code == 200 and "Nakamura" in listing.text
    found = await client.get(base + "/", params={"q": "fisch"})
    assert "Fischer" in found.text and "Nakamura" not in found.text
    page = await client.get(base + "/new")
    token = page.text.split('name="form_token" value="')[1].split('"')[0]
    evil = "<img src=x onerror=alert(1)>"
    r = await post_form(client, base + "/new", {
        "form_token": token, "category": "member", "first_name": "Guest", "last_name": "Speaker",
        "email": "guest@example.org", "accessibility": evil, "answer_first_meeting": "no", "complimentary": "1"})
    assert r.status_code == 303
    order = await Order.select().where(Order.buyer_email == "guest@example.org").first()
    assert (order["status"], order["total_cents"], order["complimentary"]) == ("confirmed", 0, True)
    follow = await client.get(base + "/accessibility")
    assert "&lt;img src=x" in follow.text and evil not in follow.text
    attendee = (await Attendee.select(Attendee.id).where(Attendee.email == "guest@example.org").first())["id"]
    await post_form(client, f"{base}/accessibility/{attendee}", {})
    assert (await Attendee.select(Attendee.accessibility_followed_up).where(Attendee.id == attendee).first())[
        "accessibility_followed_up"]
    await deliver_due(app.state.mailer)
    inbox.wait_for("guest@example.org")
    await post_form(client, f"{base}/orders/{order['id']}/resend", {})
    await deliver_due(app.state.mailer)
    inbox.wait_for("guest@example.org", count=2)

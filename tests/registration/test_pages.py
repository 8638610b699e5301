"""The registration pages over HTTP, without JavaScript: form, review, confirm, self-service."""

import re

from confops.registration.tables import Attendee, Order
from tests.registration.factory import make_event
from tests.support.http import post_form


def form_token(html: str) -> str:
    return re.search(r'name="form_token" value="([^"]+)"', html).group(1)


FORM = {"category": "resident", "first_name": "Ana", "last_name": "Lima", "email": "ana@example.org",
        "pronouns": "other", "pronouns_other": "xe/xem", "addon_workshop": "1", "answer_first_meeting": "yes",
        "code": "save10", "accessibility": "Step-free seating"}


async def test_form_review_confirm_and_self_service(client):
    await make_event()
    form = await client.get("/events/meeting/register")
    assert form.status_code == 200 and "Resident / student / fellow" in form.text and "50 places left" in form.text
    data = {**FORM, "form_token": form_token(form.text)}
    review = await post_form(client, "/events/meeting/register", {**data, "action": "review"})
    assert review.status_code == 200 and "$780.00" in review.text  # 700 - 70 + 150 (regular phase)
    assert await Order.count() == 0
    done = await post_form(client, "/events/meeting/register", {**data, "action": "confirm"})
    assert done.status_code == 303
    again = await post_form(client, "/events/meeting/register", {**data, "action": "confirm"})
    assert again.headers["location"] == done.headers["location"]  # double click: one order, same link
    assert await Order.count() == 1
    page = await client.get(done.headers["location"])
    assert "awaiting payment" in page.text
    assert (await Attendee.select(Attendee.pronouns).first())["pronouns"] == "xe/xem"
    order_id, token = re.search(r"/orders/(\d+)\?token=(.+)$", done.headers["location"]).groups()
    attendee = (await Attendee.select(Attendee.id).first())["id"]
    saved = await post_form(client, f"/orders/{order_id}/answers",
                            {"token": token, "attendee": attendee, "dietary": "vegetarian"})
    assert "Your answers were saved" in saved.text
    preview = await post_form(client, f"/orders/{order_id}/cancel", {"token": token})
    assert "Cancelling now refunds" in preview.text
    assert (await Order.select(Order.status).first())["status"] == "awaiting_payment"
    cancelled = await post_form(client, f"/orders/{order_id}/cancel", {"token": token, "confirm": "yes"})
    assert "cancelled" in cancelled.text
    assert (await client.get(f"/orders/{order_id}", params={"token": "wrong"})).status_code == 404


async def test_errors_next_to_fields_and_html_escaped(client):
    await make_event()
    form = await client.get("/events/meeting/register")
    evil = "<script>alert(1)</script>"
    r = await post_form(client, "/events/meeting/register",
                        {**FORM, "email": "nope", "first_name": evil, "last_name": "x" * 10_000,
                         "form_token": form_token(form.text), "action": "review"})
    assert r.status_code == 422
    assert 'id="email-error"' in r.text and 'id="last_name-error"' in r.text
    assert evil not in r.text and "&lt;script&gt;" in r.text
    assert await Order.count() == 0


async def test_sold_out_shows_waitlist(client):
    await make_event(capacity=0)
    r = await client.get("/events/meeting/register")
    assert "sold out" in r.text and "Join the waitlist" in r.text
    joined = await post_form(client, "/events/meeting/waitlist", {"name": "Wes", "email": "wes@example.org"})
    assert "You are on the waitlist" in joined.text

"""The issue's list of bad input, through the JSON API and through the form: each gets a 4xx
that names the field (or a reason code), and nothing is written — no order, attendee, e-mail,
place or code use. HTML in any field is accepted as text and always escaped."""

from datetime import timedelta

import pytest

from confops.core import clock
from confops.core.tables import OutboxMessage
from confops.events.tables import Event
from confops.registration.tables import Attendee, Category, DiscountCode, EventSales, Order
from tests.registration.factory import make_event
from tests.registration.test_pages import FORM, form_token
from tests.support.http import post_form

API = "/api/v1/events/meeting/orders"


def body(**extra):
    attendee = {"category": "resident", "email": "ana@example.org", "first_name": "Ana", "last_name": "Lima",
                "addons": {"workshop": 1}, "answers": {"first_meeting": "yes"}}
    code = extra.pop("code", "")
    attendee.update(extra)
    return {"buyer_name": "Ana Lima", "buyer_email": "ana@example.org", "idempotency_key": "bad-request-key-0001", "code": code,
            "attendees": [attendee]}


async def written() -> tuple:
    return (await Order.count(), await Attendee.count(), await OutboxMessage.count(),
            (await EventSales.select(EventSales.sold).first())["sold"],
            sorted((c["code"], c["sold"]) for c in await Category.select()),
            sorted((c["code"], c["used"]) for c in await DiscountCode.select()))


# (case, API attendee changes, form changes, field named in the answer)
CASES = [
    ("malformed e-mail", {"email": "ana@@example"}, {"email": "ana@@example"}, "email"),
    ("missing e-mail", {"email": ""}, {"email": ""}, "email"),
    ("unknown category", {"category": "vip"}, {"category": "vip"}, "category"),
    ("unknown add-on", {"addons": {"yacht": 1}}, {"addon_yacht": "1"}, "addon"),
    ("quantity 0", {"addons": {"book": 0}}, None, "addons.book"),
    ("negative quantity", {"addons": {"book": -2}}, {"addon_book": "-2"}, "book"),
    ("huge quantity", {"addons": {"book": 10**12}}, {"addon_book": "1000000000000"}, "book"),
    ("non-numeric quantity", None, {"addon_book": "lots"}, "book"),
    ("expired code", {"code": "OLD"}, {"code": "old"}, "code"),
    ("exhausted code", {"code": "ONCE"}, {"code": "once"}, "code"),
    ("wrong-category code", {"code": "RESONLY", "category": "member"}, {"code": "resonly", "category": "member"},
     "code"),
    ("missing required answer", {"answers": {}}, {"answer_first_meeting": ""}, "first_meeting"),
    ("answer not among the choices", {"answers": {"first_meeting": "perhaps"}}, {"answer_first_meeting": "perhaps"},
     "first_meeting"),
    ("10,000-character name", {"first_name": "A" * 10_000}, {"first_name": "A" * 10_000}, "first_name"),
    ("control characters", {"last_name": "Li\x07ma"}, {"last_name": "Li\x07ma"}, "last_name"),
    ("control characters in an answer", {"dietary": "none\x00"}, {"dietary": "none\x00"}, "dietary"),
]


async def use_up_once(client) -> None:
    r = await client.post(API, json={**body(code="ONCE", email="first@example.org"), "idempotency_key": "first-request-key-0001",
                                     "buyer_email": "first@example.org"})
    assert r.status_code == 201


@pytest.mark.parametrize(("case", "api", "form", "field"), [c for c in CASES if c[1] is not None],
                         ids=[c[0] for c in CASES if c[1] is not None])
async def test_api_refuses_with_field_names(client, case, api, form, field):
    await make_event()
    if case == "exhausted code":
        await use_up_once(client)
    before = await written()
    r = await client.post(API, json=body(**api))
    assert 400 <= r.status_code < 500, r.text
    problem = r.json()
    assert any(field in e["field"] for e in problem["errors"]) or problem.get("code") == "code_invalid", problem
    assert await written() == before


@pytest.mark.parametrize(("case", "api", "form", "field"), [c for c in CASES if c[2] is not None],
                         ids=[c[0] for c in CASES if c[2] is not None])
async def test_form_refuses_with_messages_next_to_fields(client, case, api, form, field):
    await make_event()
    if case == "exhausted code":
        await use_up_once(client)
    before = await written()
    page = await client.get("/events/meeting/register")
    data = {**FORM, "form_token": form_token(page.text), **form, "action": "confirm"}
    r = await post_form(client, "/events/meeting/register", data)
    assert r.status_code == 422, (case, r.status_code)
    assert 'class="error"' in r.text
    assert await written() == before


@pytest.mark.parametrize("state", ["closed", "not_open", "cancelled", "draft"])
async def test_outside_the_window_or_unpublished(client, state):
    event_id = await make_event()
    now = clock.now()
    change = {"closed": {Event.registration_closes_at: now - timedelta(minutes=1)},
              "not_open": {Event.registration_opens_at: now + timedelta(days=1)},
              "cancelled": {Event.status: "cancelled"}, "draft": {Event.status: "draft"}}[state]
    await Event.update(change).where(Event.id == event_id)
    before = await written()
    r = await client.post(API, json=body())
    assert r.status_code == (404 if state == "draft" else 409)
    if state != "draft":
        assert r.json()["code"] == "registration_closed"
    page = await client.get("/events/meeting/register")
    assert page.status_code == (404 if state == "draft" else 200)
    assert await written() == before


async def test_malformed_json_and_missing_fields_are_4xx(client):
    await make_event()
    before = await written()
    for payload in ({"buyer_name": "x"}, {**body(), "attendees": "many"}, {**body(), "attendees": []},
                    {**body(), "attendees": [{"category": "resident"}]}):
        r = await client.post(API, json=payload)
        assert r.status_code in (400, 422), payload
    r = await client.post(API, content=b"{not json", headers={"content-type": "application/json"})
    assert 400 <= r.status_code < 500
    assert await written() == before


async def test_html_in_any_field_is_kept_as_text_and_escaped(client, app):
    from confops.core.outbox import deliver_due

    await make_event()
    evil = '<script>alert("x")</script>'
    r = await client.post(API, json={**body(first_name=evil, institution=evil, dietary=evil, code=""),
                                     "buyer_name": evil})
    assert r.status_code == 201
    created = r.json()
    page = await client.get(f"/orders/{created['id']}", params={"token": created["token"]})
    assert evil not in page.text and "&lt;script&gt;" in page.text
    await Order.update({Order.status: "confirmed"}).where(Order.id == created["id"])
    from confops.registration.emails import queue_confirmation

    await queue_confirmation(created["id"], token=created["token"])
    await deliver_due(app.state.mailer)
    row = await OutboxMessage.select().where(OutboxMessage.status == "sent").first()
    assert row is not None

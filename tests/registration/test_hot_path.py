"""The order's hot path after the measured changes: the catalog cache and its stamp, the
early-bird "first N" claim, the e-mail rendered by the worker, the QR the door accepts."""

import asyncio
import base64
import io
import re
from datetime import timedelta

import PIL.Image
import zxingcpp

from confops.core import clock, outbox
from confops.core.errors import Conflict
from confops.core.mail import SmtpMailer
from confops.core.tables import OutboxMessage
from confops.db import connection_pool
from confops.registration.catalog import catalog_changed, load_catalog
from confops.registration.orders import order_by_token, place_order
from confops.registration.selfservice import cancel_order, transfer
from confops.registration.tables import Attendee, Category, EventSales, Order
from tests.registration.factory import door_accepts, make_event, order, person
from tests.support.smtp import body_text


def place(o):
    return place_order("meeting", o, hold_minutes=30, base_url="http://x")


async def test_catalog_cache_follows_the_stamp(db):
    event_id = await make_event()
    first = await load_catalog("meeting")
    assert {c["code"]: c["regular_cents"] for c in first.categories}["member"] == 87500
    await Category.update({Category.regular_cents: 90000}).where(Category.code == "member")
    await catalog_changed(event_id)
    again = await load_catalog("meeting")
    assert {c["code"]: c["regular_cents"] for c in again.categories}["member"] == 90000
    placed = await place(order(person("member")))
    assert placed.total_cents == 90000


async def test_live_catalog_shows_fresh_availability(db):
    await make_event(workshop_capacity=2)
    await load_catalog("meeting")  # cached with 2 workshop places left
    await place(order(person(addons={"workshop": 1})))
    live = await load_catalog("meeting", live=True)
    assert {a["code"]: a["left"] for a in live.addons}["workshop"] == 1


async def early_bird_event(n: int) -> int:
    event_id = await make_event(capacity=None, workshop_capacity=None)
    await EventSales.update({EventSales.early_bird_first_n: n}).where(EventSales.event == event_id)
    return event_id


async def test_early_bird_ends_after_the_first_n_even_under_concurrency(db):
    await early_bird_event(5)

    async def attempt(i: int):
        try:
            return await place(order(person(email=f"p{i}@example.org"), key=f"eb-{i}"))
        except Conflict as exc:
            assert exc.code == "price_changed"
            return None

    async with connection_pool(db.engine, size=10):
        results = await asyncio.gather(*(attempt(i) for i in range(40)))
    early = [r for r in results if r is not None and r.total_cents == 64000]
    assert len(early) == 5
    assert all(r.total_cents == 70000 for r in results if r is not None and r not in early)
    assert (await EventSales.select(EventSales.early_claimed).first())["early_claimed"] == 5
    # Afterwards everyone gets the regular price, and the review shows it.
    assert (await load_catalog("meeting")).phase.value == "regular"
    assert (await place(order(person(email="late@example.org"), key="late"))).total_cents == 70000


async def test_a_cancelled_early_bird_does_not_reopen_the_early_price(db):
    await early_bird_event(1)
    first = await place(order(person(), key="a"))
    assert first.total_cents == 64000
    await cancel_order(await order_by_token(first.id, first.token))
    assert (await EventSales.select(EventSales.early_claimed).first())["early_claimed"] == 1
    assert (await place(order(person(email="b@example.org"), key="b"))).total_cents == 70000


async def test_a_group_that_does_not_fit_the_early_places_is_refused_not_overcharged(db):
    await early_bird_event(2)
    await place(order(person(), key="a"))
    before = await Order.count()
    group = order(person(email="x@example.org"), person(email="y@example.org"), key="g")
    try:
        await place(group)
    except Conflict as exc:
        assert exc.code == "price_changed"
    else:
        raise AssertionError("a group of 2 with 1 early place left must not be sold at early-bird")
    assert await Order.count() == before


async def test_confirmation_is_queued_as_one_row_and_rendered_by_the_worker(db, smtp_server, inbox):
    await make_event()
    await place_order("meeting", order(person(email="ana@example.org"),
                                       person(email="ben@example.org", first_name="Ben"), key="free"),
                      hold_minutes=30, base_url="http://x", complimentary=True)
    rows = await OutboxMessage.select(OutboxMessage.to_address, OutboxMessage.payload)
    assert {r["to_address"] for r in rows} == {"buyer@example.org", "ana@example.org", "ben@example.org"}
    assert all("renderer" in r["payload"] and "<html" not in r["payload"] for r in rows)
    assert await outbox.deliver_due(SmtpMailer(smtp_server.url, "events@example.org")) == 3
    assert "Check-in code: 1" in body_text(inbox.wait_for("ana@example.org")[0])


async def test_transfer_revokes_the_old_qr_and_the_new_one_works(db, smtp_server, inbox):
    from confops.registration.orders import confirm_order

    await make_event()
    placed = await place(order(person(email="ana@example.org"), key="t"))
    await confirm_order(placed.id)
    await outbox.deliver_due(SmtpMailer(smtp_server.url, "events@example.org"))
    old = qr_tokens(inbox.wait_for("buyer@example.org")[0])
    attendee_id = (await Attendee.select(Attendee.id).first())["id"]
    assert [await door_accepts(t) for t in old] == [attendee_id]
    await transfer(await order_by_token(placed.id, placed.token), attendee_id,
                   {"first_name": "Cal", "last_name": "C", "email": "cal@example.org"})
    assert [await door_accepts(t) for t in old] == [None]  # revoked
    await outbox.deliver_due(SmtpMailer(smtp_server.url, "events@example.org"))
    (welcome,) = [m for m in inbox.wait_for("cal@example.org", count=2) if m["Subject"].startswith("Registration confirmed")]
    assert [await door_accepts(t) for t in qr_tokens(welcome)] == [attendee_id]  # the newcomer's QR works


def qr_tokens(message) -> list[str]:
    found = []
    for part in message.walk():
        if part.get_content_type() == "image/png":
            found += [r.text for r in zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(part.get_payload(decode=True))))]
    return found


async def test_order_page_shows_the_qr_the_door_accepts(client):
    await make_event()
    form = await client.get("/events/meeting/register")
    assert form.status_code == 200
    placed = await place(order(person(), code="SCHOLAR", key="page"))
    page = await client.get(f"/orders/{placed.id}?token={placed.token}")
    (uri,) = re.findall(r'src="data:image/png;base64,([^"]+)"', page.text)
    (decoded,) = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(base64.b64decode(uri))))
    assert await door_accepts(decoded.text) == (await Attendee.select(Attendee.id).first())["id"]


async def test_an_expired_holds_place_is_shown_free_and_can_be_bought(client):
    """Between two runs of the expiry sweeper: the public page offers the place, and the next
    buyer gets it (their order frees the hold in its transaction); the read writes nothing."""
    await make_event(capacity=1)
    placed = await place(order(person(), key="hold"))
    await Order.update({Order.expires_at: clock.now() - timedelta(minutes=1)}).where(Order.id == placed.id)
    assert not (await load_catalog("meeting")).sold_out
    assert "1 places left" in (await client.get("/events/meeting")).text
    assert (await Order.select(Order.status).where(Order.id == placed.id).first())["status"] == "awaiting_payment"
    assert (await place(order(person(email="next@example.org"), key="next"))).created
    assert (await Order.select(Order.status).where(Order.id == placed.id).first())["status"] == "expired"


async def test_a_confirmation_for_an_order_cancelled_meanwhile_is_not_sent(db, smtp_server, inbox):
    await make_event()
    placed = await place(order(person(email="ana@example.org"), code="SCHOLAR", key="gone"))
    await cancel_order(await order_by_token(placed.id, placed.token))
    await outbox.deliver_due(SmtpMailer(smtp_server.url, "events@example.org"))
    subjects = [m["Subject"] for m in inbox.wait_for("buyer@example.org")]
    assert subjects and not any(s.startswith("Registration confirmed") for s in subjects)
    closed = await OutboxMessage.select().where(OutboxMessage.last_error == "not sent: no longer relevant")
    assert {r["to_address"] for r in closed} == {"buyer@example.org", "ana@example.org"}

"""After the order: holds expire, the waitlist gets freed places, cancel with refund, transfer,
and the e-mails arrive at a real SMTP server with the QR and the calendar file."""

import io
from datetime import timedelta

import PIL.Image
import pytest
import zxingcpp

from confops.core import clock, outbox
from confops.core.errors import Conflict
from confops.core.mail import SmtpMailer
from confops.registration import ics
from confops.registration.holds import release_expired
from confops.registration.orders import order_by_token, place_order
from confops.registration.selfservice import cancel_order, edit_answers, refund_preview, transfer
from confops.registration.tables import (
    Answer,
    Attendee,
    EventSales,
    Order,
    WaitlistEntry,
    WaitlistOffer,
)
from confops.registration.waitlist import join_waitlist, lapse_offers
from tests.registration.factory import door_accepts, make_event, order, person
from tests.support.ical import unfold_and_parse
from tests.support.smtp import body_html, body_text


def place(o):
    return place_order("meeting", o, hold_minutes=30, base_url="http://x")


async def sold() -> int:
    return (await EventSales.select(EventSales.sold).first())["sold"]


async def no_payment_term() -> None:
    """Orders to be paid by invoice hold for the event's payment term; with none they keep the
    short hold (CONFOPS_ORDER_HOLD_MINUTES, 30 here), as card orders do."""
    await EventSales.update({EventSales.payment_term_days: 0}, force=True)


async def test_expired_hold_frees_the_place_and_offers_it_to_the_waitlist(db, smtp_server, inbox):
    await make_event(capacity=1)
    await no_payment_term()
    start = clock.now()
    first = await place(order(person(), key="a"))
    with pytest.raises(Conflict):
        await place(order(person(email="b@example.org"), key="b"))
    await join_waitlist("meeting", "Wes Waiting", "wes@example.org")
    await join_waitlist("meeting", "Nia Next", "nia@example.org")
    with clock.frozen_at(start + timedelta(minutes=31)):
        assert await release_expired() == 1
        assert (await Order.select(Order.status).where(Order.id == first.id).first())["status"] == "expired"
        # the place went to Wes's offer, not back on sale
        assert await sold() == 1
        with pytest.raises(Conflict):
            await place(order(person(email="c@example.org"), key="c"))
        await outbox.deliver_due(SmtpMailer(smtp_server.url, "events@example.org"))
    offer_mail = inbox.wait_for("wes@example.org")[0]
    link = next(w for w in body_text(offer_mail).split() if "offer=" in w)
    token = link.split("offer=")[1]
    # Wes lets it lapse: Nia gets it
    with clock.frozen_at(start + timedelta(hours=49)):
        assert await lapse_offers() == 1
    statuses = {e["email"]: e["status"] for e in await WaitlistEntry.select()}
    assert statuses == {"wes@example.org": "lapsed", "nia@example.org": "offered"}
    assert await sold() == 1
    stale = order(person(email="wes@example.org"), key="wes")
    stale.offer_token = token
    with pytest.raises(Conflict) as caught:
        await place(stale)
    assert caught.value.code == "offer_invalid"
    assert await WaitlistOffer.count() == 2


async def test_a_hold_past_due_reads_expired_and_its_place_is_free_to_the_next_buyer(db):
    await make_event(capacity=1)
    await no_payment_term()
    start = clock.now()
    first = await place(order(person(), key="a"))
    with clock.frozen_at(start + timedelta(minutes=31)):
        got = await order_by_token(first.id, first.token)
        assert got["status"] == "expired"
        assert await sold() == 1  # the read let nothing go
        assert (await place(order(person(email="b@example.org"), key="b"))).created
        assert (await Order.select(Order.status).where(Order.id == first.id).first())["status"] == "expired"


async def test_cancel_shows_refund_first_and_returns_places(db, smtp_server, inbox):
    await make_event(capacity=5, starts_in_days=45)
    placed = await place(order(person(), code="SCHOLAR", key="free"))
    paid = await place(order(person(email="p@example.org"), key="paid"))
    await Order.update({Order.status: "confirmed"}).where(Order.id == paid.id)  # as the payment issue will
    row = await order_by_token(paid.id, paid.token)
    preview = await refund_preview(row)
    assert preview.paid_cents == 70000 and preview.refund_cents == 35000  # 45 days before: 50 %
    assert (await cancel_order(row)).refund_cents == 35000
    assert await sold() == 1
    with pytest.raises(Conflict):
        await cancel_order(await order_by_token(paid.id, paid.token))
    assert (await refund_preview(await order_by_token(placed.id, placed.token))).refund_cents == 0
    await outbox.deliver_due(SmtpMailer(smtp_server.url, "events@example.org"))
    assert "$350.00" in body_text(inbox.wait_for("buyer@example.org", count=2)[-1]) or any(
        "$350.00" in body_text(m) for m in inbox.to("buyer@example.org"))


async def test_transfer_changes_person_and_voids_the_old_code(db):
    await make_event()
    placed = await place(order(person("resident"), key="t"))
    row = await order_by_token(placed.id, placed.token)
    old = await Attendee.select().first()
    diff = await transfer(row, old["id"], {"first_name": "Cal", "last_name": "Colleague",
                                          "email": "cal@example.org"}, category_code="member")
    assert diff == 87500 - 70000
    new = await Attendee.select().first()
    assert (new["first_name"], new["token_version"]) == ("Cal", old["token_version"] + 1)
    assert new["checkin_code"] != old["checkin_code"]


async def test_edit_answers_until_the_deadline(db):
    event_id = await make_event()
    placed = await place(order(person(), key="e"))
    row = await order_by_token(placed.id, placed.token)
    attendee = await Attendee.select().first()
    await edit_answers(row, attendee["id"], {"dietary": "vegan"}, {"first_meeting": "no"})
    assert (await Attendee.select(Attendee.dietary).first())["dietary"] == "vegan"
    assert (await Answer.select(Answer.value).first())["value"] == "no"
    from confops.events.tables import Event

    await Event.update({Event.edit_deadline: clock.now() - timedelta(minutes=1)}).where(Event.id == event_id)
    with pytest.raises(Conflict):
        await edit_answers(row, attendee["id"], {"dietary": "none"}, {})


async def test_confirmation_mail_has_qr_ics_link_and_escapes_html(db, smtp_server, inbox):
    await make_event()
    evil = "<script>alert(1)</script>"
    await place(order(person(first_name=evil, email="ana@example.org"), code="SCHOLAR", key="m"))
    assert await outbox.deliver_due(SmtpMailer(smtp_server.url, "events@example.org")) == 2
    mail = inbox.wait_for("ana@example.org")[0]
    html = body_html(mail)
    assert evil not in html and "&lt;script&gt;" in html
    attendee = await Attendee.select().first()
    pngs = [p for p in mail.walk() if p.get_content_type() == "image/png"]
    assert pngs and pngs[0]["Content-ID"] in (f"<qr-{attendee['id']}@confops>",)
    decoded = zxingcpp.read_barcodes(PIL.Image.open(io.BytesIO(pngs[0].get_content())))
    assert await door_accepts(decoded[0].text) == attendee["id"]
    cal = next(p for p in mail.walk() if p.get_content_type() == "text/calendar")
    props = unfold_and_parse(cal.get_content().encode() if isinstance(cal.get_content(), str)
                                 else cal.get_content())
    assert props["SUMMARY"] == "Annual Meeting" and props["DTSTART"].endswith("Z")
    assert "/account" in body_text(mail) and "token=" not in body_text(mail)  # ana did not buy
    buyer = inbox.wait_for("buyer@example.org")[0]
    assert "/orders/" in body_text(buyer) and "token=" in body_text(buyer)


def test_ics_folding_and_escaping_round_trip():
    from datetime import UTC, datetime

    title = "Balint; groups, reflection\\ and " + "ü" * 80
    data = ics.event_ics(uid="u1", title=title, starts_at=datetime(2027, 1, 1, 17, tzinfo=UTC),
                         ends_at=datetime(2027, 1, 2, tzinfo=UTC), location="Hall\nTacoma", description="",
                         url="http://x", now=datetime(2026, 1, 1, tzinfo=UTC))
    assert all(len(line) <= 75 for line in data.split(b"\r\n"))
    props = unfold_and_parse(data)
    assert props["SUMMARY"] == title and props["LOCATION"] == "Hall\nTacoma"


async def test_cancellation_offers_the_place_and_the_offer_link_registers(db, smtp_server, inbox):
    await make_event(capacity=1)
    first = await place(order(person(), key="a"))
    await join_waitlist("meeting", "Wes Waiting", "wes@example.org")
    await cancel_order(await order_by_token(first.id, first.token))
    assert await sold() == 1  # held by Wes's offer
    with pytest.raises(Conflict):
        await place(order(person(email="other@example.org"), key="other"))
    await outbox.deliver_due(SmtpMailer(smtp_server.url, "events@example.org"))
    text = body_text(inbox.wait_for("wes@example.org")[0])
    token = next(w for w in text.split() if "offer=" in w).split("offer=")[1]
    mine = order(person(email="wes@example.org"), key="wes")
    mine.offer_token = token
    placed = await place(mine)
    assert placed.status == "awaiting_payment" and await sold() == 1
    assert (await WaitlistEntry.select(WaitlistEntry.status).first())["status"] == "used"


async def test_group_confirmation_gives_each_attendee_only_their_own_code(db, smtp_server, inbox):
    """The buyer sees everyone's codes and the order link; colleagues see only their own code."""
    await make_event()
    placed = await place(order(person(email="ana@example.org"),
                               person(email="ben@example.org", first_name="Ben", last_name="Okoro"),
                               key="group"))
    from confops.registration.orders import confirm_order

    assert await confirm_order(placed.id)
    await outbox.deliver_due(SmtpMailer(smtp_server.url, "events@example.org"))
    attendees = {a["email"]: a for a in await Attendee.select()}

    def codes_in(message) -> set[str]:
        found = set()
        for part in message.walk():
            if part.get_content_type() == "image/png":
                image = PIL.Image.open(io.BytesIO(part.get_payload(decode=True)))
                found |= {r.text for r in zxingcpp.read_barcodes(image)}
        return found

    (buyer,) = inbox.wait_for("buyer@example.org")
    assert {await door_accepts(c) for c in codes_in(buyer)} == {a["id"] for a in attendees.values()}
    assert "token=" in body_text(buyer)
    buyer_codes = codes_in(buyer)
    for email, attendee in attendees.items():
        (mail,) = inbox.wait_for(email)
        (mine,) = codes_in(mail)
        assert await door_accepts(mine) == attendee["id"]
        assert "token=" not in body_text(mail) + body_html(mail), "the buyer's order link must not leak"
        assert not any(code in body_text(mail) for code in buyer_codes - {mine})


async def test_joining_the_waitlist_twice_at_once_is_one_place_in_line(db):
    import asyncio

    from confops.registration.tables import WaitlistEntry

    await make_event(capacity=1)
    await no_payment_term()
    await place(order(person(), key="a"))
    joined = await asyncio.gather(*(join_waitlist("meeting", "Wes Waiting", "wes@example.org") for _ in range(4)),
                                  return_exceptions=True)
    assert all(isinstance(j, int) for j in joined) and len(set(joined)) == 1, joined
    assert await WaitlistEntry.count().where(WaitlistEntry.email == "wes@example.org") == 1

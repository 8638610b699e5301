"""Issue 24's one-click waitlist for a "paid, no place" order, attacked through the staff pages:
the order has paid, so the next freed place is its own before any waitlist offer (the first
person on the waitlist has not paid); an order of two collects two freed places; a click twice is
one place in line; a refund takes it out of the line and what it kept goes on; a sold-out event
keeps it waiting and listed; a full category waits for its own category; two places freed at
once, and a free racing a refund, never oversell. `confops check` is clean after every step."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from confops.core import clock
from confops.core.tables import OutboxMessage
from confops.events.tables import Event
from confops.payments import ledger
from confops.payments.event_cancellation import cancel_event, refunds_due_by_hand
from confops.payments.invoices import number_of
from confops.payments.service import start_checkout
from confops.registration.catalog_admin import update_category
from confops.registration.consistency import check
from confops.registration.holds import release_expired
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.order_decision import order_token
from confops.registration.orders import place_order
from confops.registration.selfservice import cancel_order, transfer
from confops.registration.tables import (
    Attendee,
    Category,
    EventSales,
    Order,
    PaidWait,
    WaitlistEntry,
)
from confops.registration.waitlist import join_waitlist, lapse_offers
from tests.payments.stripe_events import event, refunded
from tests.payments.test_staff_pages import sign_in
from tests.payments.test_stripe_flow import confirm_at_localstripe
from tests.payments.test_webhooks import post_event, refund_at_stripe
from tests.support.http import post_form

SLUG = "abs-national-meeting"


async def place(key: str, people: int = 1, category: str = "member"):
    attendees = [AttendeeIn(category=category, email=f"{key}-{i}@example.org", first_name=f"P{i}", last_name="Payer",
                            answers={"first_meeting": "yes"}) for i in range(people)]
    return await place_order(SLUG, OrderIn(buyer_name="Pat Payer", buyer_email=f"{key}@example.org",
                                           attendees=attendees, idempotency_key=key),
                             hold_minutes=30, base_url="http://testserver.local")


async def event_row() -> dict:
    return await Event.select().where(Event.slug == SLUG).first()


async def sold() -> int:
    event = await event_row()
    return (await EventSales.select(EventSales.sold).where(EventSales.event == event["id"]).first())["sold"]


async def sell_out() -> None:
    await Event.update({Event.capacity: await sold()}).where(Event.slug == SLUG)


async def paid_no_place(client, key: str, *, people: int = 1, category: str = "member") -> dict:
    """An order expires unpaid, the event sells out, then its cheque arrives: paid, no place."""
    placed = await place(key, people, category)
    await Order.update({Order.expires_at: clock.now() - timedelta(minutes=1)}).where(Order.id == placed.id)
    assert await release_expired() >= 1
    await sell_out()
    row = await ledger.order_row(placed.id)
    done = await post_form(client, f"/staff/orders/{row['id']}/manual-payments",
                           {"payment_method": "cheque", "payment_amount": f"{row['total_cents'] / 100:.2f}",
                            "payment_reference": f"Chq {key}"}, page=f"/staff/orders/{row['id']}/payments")
    assert done.status_code == 200 and "paid, no place" in done.text, done.text
    assert await check() == []
    return row


async def wait(client, order_id: int):
    return await post_form(client, f"/staff/orders/{order_id}/waiting-list", {},
                           page=f"/staff/orders/{order_id}/payments")


async def status_of(order_id: int) -> str:
    return (await ledger.order_row(order_id))["status"]


async def line_of(order_id: int) -> dict:
    return await PaidWait.select().where(PaidWait.order == order_id).first()


async def mails(to: str, key: str) -> list[dict]:
    return await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.payload, OutboxMessage.dedupe_key).where(
        (OutboxMessage.to_address == to) & OutboxMessage.dedupe_key.like(key))


async def entries() -> dict[str, str]:
    return {e["email"]: e["status"] for e in await WaitlistEntry.select(WaitlistEntry.email, WaitlistEntry.status)}


async def test_a_freed_place_goes_to_the_paid_order_before_the_first_unpaid_person_on_the_waitlist(client, demo):
    other = await place("frees-later")
    await sign_in(client, "registrar@example.org")
    row = await paid_no_place(client, "paid-first")
    await join_waitlist(SLUG, "Nia Next", "nia@example.org")  # she is first on the waitlist, and has not paid
    listing = await client.get(f"/staff/events/{row['event']}/payments")
    assert f'action="/staff/orders/{row["id"]}/waiting-list"' in listing.text  # the one click on the list

    clicked = await wait(client, row["id"])
    assert clicked.status_code == 200 and "on the waiting list" in clicked.text
    assert 'id="waiting"' in clicked.text and 'id="wait-for-place"' not in clicked.text
    assert (await line_of(row["id"]))["status"] == "waiting"
    [told] = await mails(row["buyer_email"], f"paid-waiting:{row['id']}:%")
    assert "next place that frees up" in json.loads(told["payload"])["text"]
    listing = await client.get(f"/staff/events/{row['event']}/payments")
    assert f'id="no-place-{row["id"]}"' in listing.text and "on the waiting list since" in listing.text
    pay_page = await client.get(f"/orders/{row['id']}/pay?token={order_token(row['idempotency_key'])}")
    assert 'id="waiting"' in pay_page.text  # the buyer's own page says so too
    assert await check() == []

    before = await sold()
    await cancel_order(await ledger.order_row(other.id))  # a place frees
    assert await status_of(row["id"]) == "confirmed"
    assert {a["status"] for a in await Attendee.select(Attendee.status).where(Attendee.order == row["id"])} == {"active"}
    assert (await line_of(row["id"]))["status"] == "placed"
    assert await entries() == {"nia@example.org": "waiting"}  # no offer: the paid order had it
    assert await sold() == before
    assert await number_of(row["id"])  # invoiced, as a payment that finds its place is
    assert await mails(row["buyer_email"], f"confirmation:{row['id']}:%")  # the confirmation, with the QR codes
    page = await client.get(f"/staff/orders/{row['id']}/payments")
    assert "Given a place that freed up" in page.text and "Put on the waiting list (paid, no place)" in page.text
    listing = await client.get(f"/staff/events/{row['event']}/payments")
    assert f'id="no-place-{row["id"]}"' not in listing.text
    assert await check() == []


async def test_clicking_twice_is_one_place_in_line_and_one_mail(client, demo):
    await sign_in(client, "registrar@example.org")
    row = await paid_no_place(client, "twice")
    first, second = await wait(client, row["id"]), await wait(client, row["id"])
    assert first.status_code == second.status_code == 200
    assert await PaidWait.count().where(PaidWait.order == row["id"]) == 1
    assert len(await mails(row["buyer_email"], f"paid-waiting:{row['id']}:%")) == 1
    together = await asyncio.gather(wait(client, row["id"]), wait(client, row["id"]))
    assert [r.status_code for r in together] == [200, 200]
    assert await PaidWait.count().where(PaidWait.order == row["id"]) == 1
    assert len(await mails(row["buyer_email"], f"paid-waiting:{row['id']}:%")) == 1
    assert await check() == []


async def test_only_a_paid_order_with_no_place_can_wait_and_only_staff_with_payment_rights(client, demo):
    unpaid = await place("not-paid")
    await sign_in(client, "registrar@example.org")
    refused = await wait(client, unpaid.id)
    assert refused.status_code == 409 and "Only an order paid after it expired" in refused.text
    assert await PaidWait.count() == 0
    row = await paid_no_place(client, "rights")
    client.cookies.clear()
    await sign_in(client, "checkin@example.org")
    denied = await wait(client, row["id"])
    assert denied.status_code == 403
    assert await PaidWait.count() == 0


async def test_an_order_of_two_collects_freed_places_one_by_one_before_any_offer(client, demo):
    first, second = await place("frees-one"), await place("frees-two")
    await sign_in(client, "registrar@example.org")
    row = await paid_no_place(client, "two-people", people=2)
    await join_waitlist(SLUG, "Nia Next", "nia@example.org")
    await wait(client, row["id"])
    before = await sold()

    await cancel_order(await ledger.order_row(first.id))
    assert await status_of(row["id"]) == "expired"
    assert (await line_of(row["id"]))["held"] == 1  # kept for it, counted as sold, offered to nobody
    assert await sold() == before and await entries() == {"nia@example.org": "waiting"}
    page = await client.get(f"/staff/orders/{row['id']}/payments")
    assert "1 of its 2 places kept so far" in page.text
    assert await check() == []

    await cancel_order(await ledger.order_row(second.id))
    assert await status_of(row["id"]) == "confirmed"
    assert await Attendee.count().where((Attendee.order == row["id"]) & (Attendee.status == "active")) == 2
    assert await sold() == before and await entries() == {"nia@example.org": "waiting"}
    assert await check() == []


async def test_a_refund_while_waiting_takes_it_out_of_the_line_and_its_kept_place_goes_on(client, demo):
    first = await place("frees-for-two")
    await sign_in(client, "registrar@example.org")
    row = await paid_no_place(client, "refund-waiting", people=2)
    await join_waitlist(SLUG, "Nia Next", "nia@example.org")
    await wait(client, row["id"])
    await cancel_order(await ledger.order_row(first.id))
    assert (await line_of(row["id"]))["held"] == 1

    listing = await client.get(f"/staff/events/{row['event']}/payments")
    assert "Put on the waiting list" not in listing.text.split(f'id="no-place-{row["id"]}"')[1].split("</li>")[0]
    refunded = await post_form(client, f"/staff/orders/{row['id']}/refunds",
                               {"refund_amount": f"{row['total_cents'] / 100:.2f}",
                                "refund_reason": "Paid after the order expired; no place left", "no_place": "1"})
    assert refunded.status_code == 200 and "The refund was recorded." in refunded.text
    assert (await line_of(row["id"]))["status"] == "left"
    assert await entries() == {"nia@example.org": "offered"}  # the place it kept goes on to the next in line
    money = await ledger.balance_of(await ledger.order_row(row["id"]))
    assert money.held_cents == 0
    [told] = await mails(row["buyer_email"], f"no-place-refund:{row['id']}:%")  # which of the two it was
    text = json.loads(told["payload"])["text"]
    assert "refunded" in text and "off it now" in text and "the way you paid" in text
    assert "Your payment was refunded" in refunded.text  # in the order's history on the page
    assert await check() == []


async def test_a_place_freed_while_the_refund_is_clicked_is_either_its_place_or_the_money_back(client, demo):
    other = await place("race-free")
    await sign_in(client, "registrar@example.org")
    row = await paid_no_place(client, "race-refund")
    await wait(client, row["id"])
    before = await sold()

    async def free():
        await cancel_order(await ledger.order_row(other.id))

    refund, _ = await asyncio.gather(
        post_form(client, f"/staff/orders/{row['id']}/refunds",
                  {"refund_amount": f"{row['total_cents'] / 100:.2f}",
                   "refund_reason": "Paid after the order expired; no place left", "no_place": "1"}), free())
    money = await ledger.balance_of(await ledger.order_row(row["id"]))
    if await status_of(row["id"]) == "confirmed":  # the place came first: no money went back
        assert refund.status_code == 409 and "got its place meanwhile" in refund.text
        assert money.refunded_cents == 0 and await sold() == before
    else:
        assert refund.status_code == 200 and money.refunded_cents == row["total_cents"]
        assert await sold() == before - 1
    assert await check() == []


async def test_two_places_freed_at_the_same_moment_place_the_order_of_two_once(client, demo):
    first, second = await place("both-one"), await place("both-two")
    await sign_in(client, "registrar@example.org")
    row = await paid_no_place(client, "both-freed", people=2)
    await join_waitlist(SLUG, "Nia Next", "nia@example.org")
    await join_waitlist(SLUG, "Wes Waiting", "wes@example.org")
    await wait(client, row["id"])
    before = await sold()
    await asyncio.gather(cancel_order(await ledger.order_row(first.id)),
                         cancel_order(await ledger.order_row(second.id)))
    assert await status_of(row["id"]) == "confirmed"
    assert await Attendee.count().where((Attendee.order == row["id"]) & (Attendee.status == "active")) == 2
    assert await entries() == {"nia@example.org": "waiting", "wes@example.org": "waiting"}
    assert await sold() == before
    assert await check() == []


async def test_sold_out_for_good_it_stays_waiting_and_listed(client, demo):
    await sign_in(client, "registrar@example.org")
    row = await paid_no_place(client, "forever")
    await wait(client, row["id"])
    # Nothing frees: the jobs run, staff save the category unchanged; it neither moves nor oversells.
    await release_expired()
    await lapse_offers()
    event = await event_row()
    member = await Category.select().where((Category.event == event["id"]) & (Category.code == "member")).first()
    await update_category(event["id"], "member", early_cents=member["early_cents"],
                          regular_cents=member["regular_cents"], late_cents=member["late_cents"],
                          capacity=member["capacity"])
    assert await status_of(row["id"]) == "expired"
    assert (await line_of(row["id"]))["status"] == "waiting"
    listing = await client.get(f"/staff/events/{row['event']}/payments")
    assert "on the waiting list since" in listing.text
    money = await ledger.balance_of(await ledger.order_row(row["id"]))
    assert money.held_cents == row["total_cents"]
    assert await check() == []


async def test_a_full_category_waits_for_a_place_of_its_own_category(client, demo):
    await sign_in(client, "registrar@example.org")
    event = await event_row()
    resident = await Category.select().where((Category.event == event["id"]) & (Category.code == "resident")).first()
    placed = await place("resident-paid", category="resident")
    await Order.update({Order.expires_at: clock.now() - timedelta(minutes=1)}).where(Order.id == placed.id)
    await release_expired()
    await Event.update({Event.capacity: None}).where(Event.id == event["id"])  # the event has room
    taken = await place("resident-took-it", category="resident")
    await Category.update({Category.capacity: Category.sold}).where(Category.id == resident["id"])  # residents full
    member = await place("member-frees", category="member")
    row = await ledger.order_row(placed.id)
    done = await post_form(client, f"/staff/orders/{row['id']}/manual-payments",
                           {"payment_method": "cheque", "payment_amount": f"{row['total_cents'] / 100:.2f}",
                            "payment_reference": "Chq res"}, page=f"/staff/orders/{row['id']}/payments")
    assert "paid, no place" in done.text
    await wait(client, row["id"])
    assert await status_of(row["id"]) == "expired"  # event places are free, its category is not
    assert (await line_of(row["id"]))["held"] == 0  # so it keeps no event place from anyone
    before = await sold()
    await cancel_order(await ledger.order_row(member.id))  # another category's place: not its own
    assert await status_of(row["id"]) == "expired" and await sold() == before - 1
    assert await check() == []
    await cancel_order(await ledger.order_row(taken.id))  # a resident's place: its own
    assert await status_of(row["id"]) == "confirmed"
    assert await check() == []


async def test_a_category_raised_by_staff_places_the_order_waiting_for_it(client, demo):
    await sign_in(client, "registrar@example.org")
    event = await event_row()
    placed = await place("raise-cat", category="resident")
    await Order.update({Order.expires_at: clock.now() - timedelta(minutes=1)}).where(Order.id == placed.id)
    await release_expired()
    await Event.update({Event.capacity: None}).where(Event.id == event["id"])
    resident = await Category.select().where((Category.event == event["id"]) & (Category.code == "resident")).first()
    await Category.update({Category.capacity: Category.sold}).where(Category.id == resident["id"])
    row = await ledger.order_row(placed.id)
    await post_form(client, f"/staff/orders/{row['id']}/manual-payments",
                    {"payment_method": "cheque", "payment_amount": f"{row['total_cents'] / 100:.2f}",
                     "payment_reference": "Chq raise"}, page=f"/staff/orders/{row['id']}/payments")
    await wait(client, row["id"])
    assert await status_of(row["id"]) == "expired"
    full = await Category.select().where(Category.id == resident["id"]).first()
    await update_category(event["id"], "resident", early_cents=full["early_cents"], regular_cents=full["regular_cents"],
                          late_cents=full["late_cents"], capacity=full["capacity"] + 1)
    assert await status_of(row["id"]) == "confirmed"
    assert await check() == []


@pytest.mark.parametrize("delay", [0.0, 0.05])
async def test_a_place_freed_as_a_stranger_orders_is_never_sold_twice(client, demo, delay):
    """The paid order waiting and a new buyer race for one freed place: one gets it."""
    other = await place("stranger-frees")
    await sign_in(client, "registrar@example.org")
    row = await paid_no_place(client, "stranger-race")
    await wait(client, row["id"])
    event = await event_row()

    async def stranger():
        await asyncio.sleep(delay)
        try:
            return await place("stranger-buys")
        except Exception as exc:  # noqa: BLE001 - sold out is one of the two answers
            return getattr(exc, "code", repr(exc))

    _, bought = await asyncio.gather(cancel_order(await ledger.order_row(other.id)), stranger())
    assert await status_of(row["id"]) == "confirmed"  # a free goes to the line in its own transaction
    assert bought == "sold_out", bought
    assert await sold() <= (await event_row())["capacity"] == event["capacity"]
    assert await check() == []


async def test_cancelling_the_event_gives_back_a_waiting_orders_money_and_offers_nobody_a_place(client, demo):
    await sign_in(client, "registrar@example.org")
    row = await paid_no_place(client, "event-off")
    await join_waitlist(SLUG, "Nia Next", "nia@example.org")
    await wait(client, row["id"])
    event = await event_row()
    await cancel_event(event["id"], reason="The venue flooded.", actor_id=None)
    assert await status_of(row["id"]) == "cancelled"
    assert (await line_of(row["id"]))["status"] == "left"
    [due] = [d for d in await refunds_due_by_hand(event["id"]) if d["order"] == row["id"]]
    assert due["cents"] == row["total_cents"]  # listed for staff to send back, with everyone else's
    [told] = await mails(row["buyer_email"], f"event-cancelled:{row['id']}")
    assert "refunded in full" in json.loads(told["payload"])["text"]
    assert await entries() == {"nia@example.org": "waiting"}  # no offer of a place at a cancelled event
    assert await check() == []


async def test_a_refund_made_in_stripe_takes_a_waiting_card_order_off_the_list(client, demo, localstripe):
    """Money given back from Stripe's dashboard, not from our page: the order must not get a
    freed place afterwards for nothing."""
    other = await place("frees-after-stripe")
    placed = await place("card-waiting")
    intent = await start_checkout(placed.id)
    await confirm_at_localstripe(localstripe, intent.id, "pm_card_visa")
    await Order.update({Order.expires_at: clock.now() - timedelta(minutes=1)}).where(Order.id == placed.id)
    assert await release_expired() >= 1
    await sell_out()
    await post_event(client, event("payment_intent.succeeded", {"id": intent.id, "object": "payment_intent"}))
    assert await status_of(placed.id) == "expired"  # paid, no place
    await sign_in(client, "registrar@example.org")
    assert (await wait(client, placed.id)).status_code == 200
    row = await ledger.order_row(placed.id)

    back = await refund_at_stripe(localstripe, intent.id, row["total_cents"])
    await post_event(client, event("charge.refunded", refunded(intent.id, (back, row["total_cents"]))))
    assert (await line_of(placed.id))["status"] == "left"
    await cancel_order(await ledger.order_row(other.id))
    assert await status_of(placed.id) == "expired"  # no place for money that went back
    assert await check() == []


@pytest.mark.parametrize("delay", [0.0, 0.02])
async def test_an_offer_lapsing_as_an_order_cancels_hands_both_places_on_without_a_deadlock(client, demo, delay):
    """Two frees of one event at once, from the two paths that reach the waitlist (a lapsed
    offer and a cancellation): both lock the event's sales row first, so neither waits on the
    other in a circle; the paid order waiting takes one place, the next person the other."""
    first, other = await place("lapse-first"), await place("lapse-other")
    await sign_in(client, "registrar@example.org")
    row = await paid_no_place(client, "lapse-paid")
    await join_waitlist(SLUG, "Wes Waiting", "wes@example.org")
    await join_waitlist(SLUG, "Nia Next", "nia@example.org")
    await cancel_order(await ledger.order_row(first.id))  # before the click: offered to Wes
    assert await entries() == {"wes@example.org": "offered", "nia@example.org": "waiting"}
    await wait(client, row["id"])
    assert await status_of(row["id"]) == "expired"  # Wes's open offer holds that place
    before = await sold()

    async def cancel_later():
        await asyncio.sleep(delay)
        await cancel_order(await ledger.order_row(other.id))

    with clock.frozen_at(clock.now() + timedelta(days=3)):  # Wes's offer is past its time
        await asyncio.gather(lapse_offers(), cancel_later())
    assert await status_of(row["id"]) == "confirmed"
    assert await entries() == {"wes@example.org": "lapsed", "nia@example.org": "offered"}
    assert await sold() == before
    assert await check() == []


async def test_check_reports_a_waiting_row_that_no_longer_waits(client, demo):
    """A placed (or cancelled) order still in the line would be given its places twice."""
    await sign_in(client, "registrar@example.org")
    row = await paid_no_place(client, "astray")
    await wait(client, row["id"])
    assert await check() == []
    await Order.update({Order.status: "cancelled"}).where(Order.id == row["id"])
    [found] = await check()
    assert "paid orders on the waiting list" in str(found) and found.rows == 1


async def test_a_resident_moving_to_another_category_frees_the_place_a_paid_resident_waits_for(client, demo):
    await sign_in(client, "registrar@example.org")
    event = await event_row()
    placed = await place("resident-waits", category="resident")
    await Order.update({Order.expires_at: clock.now() - timedelta(minutes=1)}).where(Order.id == placed.id)
    await release_expired()
    await Event.update({Event.capacity: None}).where(Event.id == event["id"])  # the event has room
    mover = await place("resident-moves", category="resident")
    resident = await Category.select().where((Category.event == event["id"]) & (Category.code == "resident")).first()
    await Category.update({Category.capacity: Category.sold}).where(Category.id == resident["id"])  # residents full
    row = await ledger.order_row(placed.id)
    await post_form(client, f"/staff/orders/{row['id']}/manual-payments",
                    {"payment_method": "cheque", "payment_amount": f"{row['total_cents'] / 100:.2f}",
                     "payment_reference": "Chq move"}, page=f"/staff/orders/{row['id']}/payments")
    await wait(client, row["id"])
    assert await status_of(row["id"]) == "expired"

    moving = await Attendee.select().where(Attendee.order == mover.id).first()
    await transfer(await ledger.order_row(mover.id), moving["id"],
                   {"first_name": "Mo", "last_name": "Member", "email": "mo@example.org"}, "member")
    assert await status_of(row["id"]) == "confirmed"  # the resident place the move freed is its own
    assert await check() == []

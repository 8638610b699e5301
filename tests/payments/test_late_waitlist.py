"""Money for an expired order and the waitlist: the order is reinstated with free places first,
else with the place an outstanding (not yet taken) waitlist offer holds, the waitlisted person
told and put back first in line; only when neither is there is it "paid, no place". A late
cheque and the waitlisted person taking the same offer at the same moment use one place."""

from __future__ import annotations

import asyncio
import json
from datetime import timedelta

import pytest

from confops.core import clock
from confops.core.errors import Conflict
from confops.core.tables import OutboxMessage
from confops.events.tables import Event
from confops.payments import ledger
from confops.registration.consistency import check
from confops.registration.holds import release_expired
from confops.registration.orders import place_order
from confops.registration.selfservice import cancel_order
from confops.registration.tables import EventSales, Order, WaitlistEntry, WaitlistOffer
from confops.registration.waitlist import join_waitlist
from tests.payments.test_staff_pages import demo_order, sign_in
from tests.registration.factory import order, person
from tests.support.http import post_form

SLUG = "abs-national-meeting"


async def sold_of(event_id: int) -> int:
    return (await EventSales.select(EventSales.sold).where(EventSales.event == event_id).first())["sold"]


async def offer_token_for(email: str) -> str:
    mails = await OutboxMessage.select(OutboxMessage.payload).where(
        (OutboxMessage.to_address == email) & OutboxMessage.dedupe_key.like("waitlist-offer:%")).order_by(
        OutboxMessage.id)
    text = json.loads(mails[-1]["payload"])["text"]
    return next(w for w in text.split() if "offer=" in w).split("offer=")[1]


async def expired_with_its_place_offered(key: str, *, spare: int = 0) -> dict:
    """An unpaid order in a sold-out event (plus `spare` free places) expires; its place goes to
    the first waitlisted person's offer (Wes), Nia waits behind him."""
    placed = await demo_order(key)
    row = await ledger.order_row(placed.id)
    await Event.update({Event.capacity: await sold_of(row["event"])}).where(Event.id == row["event"])
    await join_waitlist(SLUG, "Wes Waiting", "wes@example.org")
    await join_waitlist(SLUG, "Nia Next", "nia@example.org")
    await Order.update({Order.expires_at: clock.now() - timedelta(minutes=1)}).where(Order.id == placed.id)
    assert await release_expired() >= 1
    if spare:
        await Event.update({Event.capacity: Event.capacity + spare}).where(Event.id == row["event"])
    assert await WaitlistOffer.count().where(WaitlistOffer.status == "open") == 1
    assert await check() == []
    return await ledger.order_row(placed.id)


async def record_cheque(client, row: dict, reference: str, *, load_page: bool = True):
    return await post_form(client, f"/staff/orders/{row['id']}/manual-payments",
                           {"payment_method": "cheque", "payment_amount": f"{row['total_cents'] / 100:.2f}",
                            "payment_reference": reference},
                           page=f"/staff/orders/{row['id']}/payments" if load_page else None)


async def entry_status() -> dict[str, str]:
    return {e["email"]: e["status"] for e in await WaitlistEntry.select(WaitlistEntry.email, WaitlistEntry.status)}


async def test_a_late_cheque_takes_the_place_of_an_outstanding_offer_and_its_holder_is_first_again(client, demo):
    row = await expired_with_its_place_offered("offer-late")
    sold = await sold_of(row["event"])
    wes_token = await offer_token_for("wes@example.org")
    await sign_in(client, "registrar@example.org")

    done = await record_cheque(client, row, "Chq 501")
    assert done.status_code == 200 and "confirmed again with its places" in done.text
    assert (await ledger.order_row(row["id"]))["status"] == "confirmed"
    assert await sold_of(row["event"]) == sold  # the offer's place became the order's: nothing oversold
    assert [o["status"] for o in await WaitlistOffer.select(WaitlistOffer.status)] == ["withdrawn"]
    assert await entry_status() == {"wes@example.org": "waiting", "nia@example.org": "waiting"}
    [told] = await OutboxMessage.select(OutboxMessage.subject, OutboxMessage.payload).where(
        (OutboxMessage.to_address == "wes@example.org") & OutboxMessage.dedupe_key.like("waitlist-withdrawn:%"))
    assert "first in line" in json.loads(told["payload"])["text"]
    assert await check() == []

    # Wes's link no longer registers him ...
    mine = order(person(email="wes@example.org"), key="wes-offer-0001")
    mine.offer_token = wes_token
    with pytest.raises(Conflict) as refused:
        await place_order(SLUG, mine, hold_minutes=30, base_url="http://testserver.local")
    assert refused.value.code == "offer_invalid"
    # ... and the next place freed is his again, before Nia's.
    await cancel_order(await ledger.order_row(row["id"]))
    assert await entry_status() == {"wes@example.org": "offered", "nia@example.org": "waiting"}
    assert await check() == []


async def test_free_places_come_before_an_offer(client, demo):
    row = await expired_with_its_place_offered("offer-spare", spare=1)
    await sign_in(client, "registrar@example.org")
    done = await record_cheque(client, row, "Chq 502")
    assert done.status_code == 200 and "confirmed again with its places" in done.text
    assert [o["status"] for o in await WaitlistOffer.select(WaitlistOffer.status)] == ["open"]
    assert await entry_status() == {"wes@example.org": "offered", "nia@example.org": "waiting"}
    assert await check() == []


async def test_no_free_place_and_no_offer_left_is_paid_no_place(client, demo):
    row = await expired_with_its_place_offered("offer-taken")
    mine = order(person(email="wes@example.org"), key="wes-offer-0002")
    mine.offer_token = await offer_token_for("wes@example.org")
    await place_order(SLUG, mine, hold_minutes=30, base_url="http://testserver.local")  # Wes took it
    await sign_in(client, "registrar@example.org")
    done = await record_cheque(client, row, "Chq 503")
    assert done.status_code == 200 and "paid, no place" in done.text
    assert (await ledger.order_row(row["id"]))["status"] == "expired"
    assert await entry_status() == {"wes@example.org": "used", "nia@example.org": "waiting"}
    assert await check() == []


@pytest.mark.parametrize("offer_delay", [0.0, 0.03, 0.1])
async def test_a_late_cheque_and_the_offer_taken_at_the_same_moment_use_one_place(client, demo, offer_delay):
    row = await expired_with_its_place_offered("race")
    sold = await sold_of(row["event"])
    mine = order(person(email="wes@example.org"), key="wes-race-0000001")
    mine.offer_token = await offer_token_for("wes@example.org")
    await sign_in(client, "registrar@example.org")

    async def take_offer():
        await asyncio.sleep(offer_delay)  # either may come first; each delay is a different overlap
        try:
            return await place_order(SLUG, mine, hold_minutes=30, base_url="http://testserver.local")
        except Conflict as exc:
            return exc.code

    cheque, wes = await asyncio.gather(record_cheque(client, row, "Chq 601", load_page=False), take_offer())
    assert cheque.status_code == 200, cheque.text
    reinstated = (await ledger.order_row(row["id"]))["status"] == "confirmed"
    wes_placed = not isinstance(wes, str)
    assert reinstated != wes_placed, (reinstated, wes)  # exactly one of them has the place
    assert wes_placed or wes == "offer_invalid"
    assert ("confirmed again" in cheque.text) == reinstated and ("paid, no place" in cheque.text) == wes_placed
    assert await sold_of(row["event"]) == sold
    assert await check() == []

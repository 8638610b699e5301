"""One story of the numbers: on the demo, and after an unpaid order and a cancellation, the
dashboard's confirmed count and places taken, the event page's places left and the database's
own counts agree (the demo's small-group members once bypassed the counters: "16 of 180
taken" next to 44 confirmed)."""

import re

from confops.events.tables import Event
from confops.registration.tables import HOLDING, Attendee, EventSales, Order
from tests.backoffice.conftest import sign_in

SLUG = "abs-national-meeting"


async def _db_counts() -> tuple[int, int, int, int]:
    event = await Event.select(Event.id, Event.capacity).where(Event.slug == SLUG).first()
    active = Attendee.select(Attendee.id).where((Attendee.event == event["id"]) & (Attendee.status == "active"))
    confirmed = len(await active.where(Attendee.order.status == "confirmed"))
    held = len(await Attendee.select(Attendee.id).where(
        (Attendee.event == event["id"]) & (Attendee.status == "active") & Attendee.order.status.is_in(list(HOLDING))))
    sold = (await EventSales.select(EventSales.sold).where(EventSales.event == event["id"]).first())["sold"]
    return confirmed, held, sold, event["capacity"]


async def _shown(client) -> tuple[int, int, int, int]:
    board = (await client.get(f"/staff/events/{SLUG}/dashboard")).text
    registered = int(re.search(r'id="registered">(\d+)<', board)[1])
    taken = re.search(r'id="taken">(\d+)</span>\s*<span class="muted">of (\d+) \(\d+%\) · (\d+) confirmed, '
                      r'<span id="awaiting">(\d+)</span>', board)
    assert int(taken[3]) == registered
    left = int(re.search(r"(\d+) places left", (await client.get(f"/events/{SLUG}")).text)[1])
    assert left == int(taken[2]) - int(taken[1])  # the event page and the dashboard
    # The CME page and the dashboard's CME panel count the learners the dashboard calls
    # confirmed: an unpaid order's attendee cannot claim credit yet (cme/learners.py standings).
    cme = (await client.get(f"/staff/events/{SLUG}/cme")).text
    line = re.search(r"<p>(\d+) confirmed(?: \((\d+) more held for unpaid orders\))? · (\d+) with attendance", cme)
    assert line, "the CME page's counts"
    assert (int(line[1]), int(line[2] or 0)) == (registered, int(taken[4]))
    panel = board.split('id="panel-cme_claims"')[1].split("</section>")[0]
    assert re.search(r"<desc[^>]*>Confirmed: (\d+);", panel)[1] == str(registered)
    return registered, int(taken[4]), int(taken[1]), int(taken[2])


async def test_dashboard_event_page_and_database_tell_one_story(client, demo):
    await sign_in(client, "registrar@example.org")
    confirmed, held, sold, capacity = await _db_counts()
    assert sold == confirmed + held  # every active attendee holds exactly one place
    assert await _shown(client) == (confirmed, held, sold, capacity)

    board = (await client.get(f"/staff/events/{SLUG}/dashboard")).text
    assert "social_worker" not in board and "Social worker" in board  # labels, never codes
    # one summary on top, then the sections it links to
    sections = ["Summary", "Registrations", "Capacity", "Sessions", "More figures"]
    at = [board.index(f">{name}</h2>") for name in sections]
    assert at == sorted(at), sections
    assert all(f'href="#{anchor}"' in board for anchor in ("registrations", "fill", "sessions"))

    # An order waiting for its payment, then one cancelled: the same story after each.
    from confops.registration.intake import AttendeeIn, OrderIn
    from confops.registration.orders import place_order

    order = await place_order(SLUG, OrderIn(
        buyer_name="Uma Unpaid", buyer_email="uma@example.org", idempotency_key="numbers-agree-0001",
        attendees=[AttendeeIn(category="member", email="uma@example.org", first_name="Uma", last_name="Unpaid",
                              answers={"first_meeting": "no"})]), hold_minutes=30, base_url="http://testserver.local")
    after = await _db_counts()
    assert after[1] == held + 1 and after[2] == sold + 1
    assert await _shown(client) == after
    from confops.registration.selfservice import cancel_order

    await cancel_order(await Order.select().where((Order.id != order.id) & (Order.status == "confirmed")).first())
    final = await _db_counts()
    assert final[2] == final[0] + final[1]
    assert await _shown(client) == final

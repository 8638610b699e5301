"""The staff payments page at meeting size (issue 29): one page of orders with their money read
in a few queries, a total, page links keeping the search and status, and the outstanding total
of the whole event, not of the page."""

import re

from confops.events.tables import Event
from confops.payments.reports import event_money
from confops.registration.tables import Order
from tests.backoffice.conftest import sign_in
from tests.support.grow import grow
from tests.support.statements import statements_counted


def order_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="order-(\d+)">', html)]


async def test_staff_page_through_the_events_orders_with_the_whole_events_outstanding(client, demo):
    await grow("abs-national-meeting", 70)
    event_id = (await Event.select(Event.id).where(Event.slug == "abs-national-meeting").first())["id"]
    base = f"/staff/events/{event_id}/payments"
    await sign_in(client, "registrar@example.org")
    with statements_counted() as seen:
        first = await client.get(base)
    assert first.status_code == 200
    every = await event_money(event_id)
    assert f"of {len(every)}</p>" in first.text
    newest = sorted((m.order["id"] for m in every), reverse=True)
    assert order_ids(first.text) == newest[:50]
    owed = sum(m.due_cents for m in every if m.order["status"] != "expired")
    shown = re.search(r'id="outstanding">([^<]+)<', first.text).group(1)
    assert shown == f"${owed / 100:,.2f}", shown
    small = len(seen)

    link = re.search(r'<a href="(\?[^"]*)" rel="next">', first.text).group(1).replace("&amp;", "&")
    assert order_ids((await client.get(base + link)).text) == newest[50:100]

    pending = await client.get(base, params={"status": "pending", "sort": "oldest"})
    ids = order_ids(pending.text)
    expected = [o["id"] for o in await Order.select(Order.id).where(
        (Order.event == event_id) & (Order.status == "pending")).order_by(Order.id)]
    assert ids == expected[:50] and len(expected) > 30
    buyer = await client.get(base, params={"q": str(expected[0])})
    assert order_ids(buyer.text) == [expected[0]]
    for hostile in ("abc", "0", "-1", "'; DROP TABLE payment; --"):
        assert (await client.get(base, params={"page": hostile, "q": hostile, "status": hostile})).status_code == 200

    await grow("abs-national-meeting", 60)
    with statements_counted() as seen:
        await client.get(base)
    assert len(seen) == small  # more orders, the same statements

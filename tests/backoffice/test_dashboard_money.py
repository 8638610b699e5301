"""The dashboard's money, summed in the database (issue 29), agrees with the payments ledger
order by order (confops/payments/reports.py event_money)."""

from confops.backoffice.dashboard import dashboard
from confops.events.tables import Event
from confops.payments.reports import event_money
from confops.registration.tables import HOLDING
from tests.support.grow import grow


async def test_dashboard_money_is_the_ledgers(demo):
    await grow("abs-national-meeting", 12)
    event_id = (await Event.select(Event.id).where(Event.slug == "abs-national-meeting").first())["id"]
    board = await dashboard(event_id)
    ledger = await event_money(event_id)
    open_orders = [r for r in ledger if r.order["status"] in ("confirmed", *HOLDING) and r.due_cents > 0]
    assert board.outstanding_orders == len(open_orders) > 6
    assert board.outstanding_cents == sum(r.due_cents for r in open_orders)
    assert board.revenue_cents == sum(r.paid_cents for r in ledger) > 0

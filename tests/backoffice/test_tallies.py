"""The running tallies (registration/, payments/ and cme/tallies.py) equal the rows
they count after any sequence of writes through the project's own paths: orders, manual
payments, refunds, cancellations of an order or of one attendee, expiry, transfers, profession
and category edits (as /admin makes them), check-in scans and CME claims; refused steps too
(they must leave nothing half-counted). Then the same under concurrency: payments, refunds,
cancellations and new orders racing each other and a dashboard view."""

from __future__ import annotations

import asyncio
import itertools
from collections import Counter
from datetime import timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confops.backoffice.dashboard import dashboard
from confops.cme import tallies as cme
from confops.cme.tables import CmeClaim
from confops.core import clock
from confops.core.errors import DomainError
from confops.events.tables import Event
from confops.payments import tallies as money
from confops.payments.refunds import refund_order
from confops.payments.service import record_manual_payment
from confops.registration import tallies as people
from confops.registration.consistency import check
from confops.registration.group import cancel_attendee
from confops.registration.holds import release_expired
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.orders import place_order
from confops.registration.selfservice import cancel_order, transfer
from confops.registration.tables import Attendee, AttendeeTally, Order
from tests.cme.support import evaluated_and_claimed, scan_into

SLUG = "abs-national-meeting"
_keys = itertools.count()

steps = st.one_of(
    st.tuples(st.just("order"), st.integers(1, 3), st.sampled_from(["member", "resident"])),
    st.tuples(st.just("pay"), st.integers(0, 50), st.sampled_from([1.0, 0.5])),
    st.tuples(st.just("refund"), st.integers(0, 50), st.integers(1, 40000)),
    st.tuples(st.just("cancel"), st.integers(0, 50)),
    st.tuples(st.just("cancel_one"), st.integers(0, 50)),
    st.tuples(st.just("expire")),
    st.tuples(st.just("transfer"), st.integers(0, 50), st.sampled_from([None, "member", "resident"])),
    st.tuples(st.just("edit"), st.integers(0, 50), st.sampled_from(["nurse", "physician", "student"])),
    st.tuples(st.just("scan"), st.integers(0, 50), st.sampled_from(["P1", "G1", "W1"])),
    st.tuples(st.just("claim"), st.integers(0, 50)),
    st.tuples(st.just("credentials"), st.integers(0, 50), st.sampled_from(["MD", "RN", "DO, PhD"])),
)


async def _event_id() -> int:
    return (await Event.select(Event.id).where(Event.slug == SLUG).first())["id"]


async def _pick_order(i: int) -> dict | None:
    orders = await Order.select().where(Order.event == await _event_id()).order_by(Order.id, ascending=False).limit(8)
    return orders[i % len(orders)] if orders else None


async def _pick_attendee(order: dict | None) -> dict | None:
    if order is None:
        return None
    return await Attendee.select().where((Attendee.order == order["id"]) & (Attendee.status == "active")).first()


async def _order(people: int, category: str) -> None:
    n = next(_keys)
    await place_order(SLUG, OrderIn(
        buyer_name="Tally Buyer", buyer_email=f"tally{n}@example.org", idempotency_key=f"tally-order-{n:06d}",
        attendees=[AttendeeIn(category=category, email=f"tally{n}-{k}@example.org", first_name="Tal",
                              last_name=f"Ly{n}", profession="physician", answers={"first_meeting": "no"})
                   for k in range(people)]), hold_minutes=30, base_url="http://testserver.local")


async def _pay(i: int, share: float) -> None:
    order = await _pick_order(i)
    await record_manual_payment(order["id"], method="cheque", amount_cents=max(1, int(order["total_cents"] * share)),
                                reference=f"tally cheque {next(_keys)}", recorded_by=None)


async def _refund(i: int, cents: int) -> None:
    await refund_order((await _pick_order(i))["id"], cents, reason="tally test")


async def _cancel(i: int) -> None:
    await cancel_order(await _pick_order(i))


async def _cancel_one(i: int) -> None:
    order = await _pick_order(i)
    await cancel_attendee(order, (await _pick_attendee(order))["id"])


async def _expire() -> None:
    with clock.frozen_at(clock.now() + timedelta(days=40)):
        assert await release_expired(await _event_id())


async def _transfer(i: int, category: str | None) -> None:
    order = await _pick_order(i)
    n = next(_keys)
    await transfer(order, (await _pick_attendee(order))["id"], {
        "first_name": "New", "last_name": f"Holder{n}", "email": f"holder{n}@example.org", "credentials": "RN"},
        category_code=category)


async def _edit(i: int, column: str, value: str) -> None:
    """What /admin or a staff edit does to a column the tallies group by."""
    person = await _pick_attendee(await _pick_order(i))
    await Attendee.update({getattr(Attendee, column): value}).where(Attendee.id == person["id"])


async def _scan(i: int, code: str) -> None:
    await scan_into((await _pick_attendee(await _pick_order(i)))["id"], code)


async def _claim(i: int) -> None:
    confirmed = await Order.select().where((Order.event == await _event_id()) & (Order.status == "confirmed")
                                           ).order_by(Order.id, ascending=False).limit(8)
    person = await _pick_attendee(confirmed[i % len(confirmed)])
    assert not await CmeClaim.exists().where(CmeClaim.attendee == person["id"])
    await Attendee.update({Attendee.credentials: "MD"}).where(Attendee.id == person["id"])  # AMA credit offered
    await evaluated_and_claimed(person["email"], credit="1.0")


STEPS = {"order": _order, "pay": _pay, "refund": _refund, "cancel": _cancel, "cancel_one": _cancel_one,
         "expire": _expire, "transfer": _transfer, "edit": lambda i, v: _edit(i, "profession", v),
         "credentials": lambda i, v: _edit(i, "credentials", v), "scan": _scan, "claim": _claim}


async def _agree() -> None:
    event_id = await _event_id()
    assert await check(SLUG) == []  # the sales counters and the registration tally
    assert await money.differences(event_id) == []
    assert await cme.differences(event_id) == []
    board = await dashboard(event_id)
    counted = await people.from_rows(event_id)
    assert board.registered == sum(n for (state, *_), n in counted.items() if state == "confirmed")
    assert board.awaiting_payment == sum(n for (state, *_), n in counted.items() if state == "held")
    rows = await money.from_rows(event_id)
    assert (board.revenue_cents, board.refunded_cents, board.outstanding_orders, board.outstanding_cents) == (
        rows.paid_cents, rows.refunded_cents, rows.owing_orders, rows.owed_cents)


async def test_the_tallies_equal_the_rows_after_any_sequence_of_writes(client, demo):
    await _agree()  # the demo, loaded through the services
    await evaluated_and_claimed("morgan@example.org")  # check-in scans and a CME claim
    await _agree()
    loop = asyncio.get_running_loop()
    done: Counter = Counter()

    async def run(sequence) -> None:
        for kind, *args in sequence:
            try:
                await STEPS[kind](*args)
                done[kind] += 1
            except (DomainError, AssertionError, TypeError):
                done["refused"] += 1  # refused, or nothing to do it to: whatever it wrote is counted
        await _agree()

    @settings(max_examples=30, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(st.lists(steps, min_size=1, max_size=8))
    def sequences(sequence):
        asyncio.run_coroutine_threadsafe(run(sequence), loop).result(timeout=300)

    await asyncio.to_thread(sequences)  # the examples run in a thread; their queries on this loop
    assert done["order"] and done["pay"] and done["claim"] and done["refused"], done  # the paths were taken


async def test_a_fold_keeps_the_sums_and_leaves_one_row_per_key(db, demo):
    event_id = await _event_id()
    before = await people.counts(event_id)
    for person in await Attendee.select(Attendee.id, Attendee.profession).where(Attendee.event == event_id).limit(30):
        for profession in ("nurse", person["profession"]):  # two rows appended each time, summing to nothing
            await Attendee.update({Attendee.profession: profession}).where(Attendee.id == person["id"])
    kept = await AttendeeTally.count().where(AttendeeTally.event == event_id)
    assert await people.counts(event_id) == before  # the rows as they piled up sum the same
    assert await AttendeeTally.count().where(AttendeeTally.event == event_id) == kept  # a read folds nothing
    await people.fold(event_id)
    assert await AttendeeTally.count().where(AttendeeTally.event == event_id) == len(before) < kept
    assert await people.counts(event_id) == before == await people.from_rows(event_id)
    assert await money.totals(event_id) == await money.from_rows(event_id)
    await money.fold(event_id)
    assert await money.totals(event_id) == await money.from_rows(event_id)
    await cme.fold(event_id)
    assert await cme.sums(event_id) == await cme.from_rows(event_id)


async def test_payments_refunds_cancellations_and_orders_racing_a_dashboard_view_leave_the_tallies_true(
        client, demo):
    """Two cheques for one order at once, a refund, a cancellation and new orders, with the
    dashboard read meanwhile: each trigger counts from what the others committed."""
    event_id = await _event_id()
    await _order(3, "member")
    await _order(2, "resident")
    unpaid = await Order.select().where((Order.event == event_id) & (Order.status.is_in(["pending",
                                                                                          "awaiting_payment"]))
                                        ).order_by(Order.id, ascending=False).limit(2)
    paid = await Order.select().where((Order.event == event_id) & (Order.status == "confirmed")).limit(2)

    async def quietly(coro):
        try:
            await coro
        except DomainError:
            pass

    work = [quietly(record_manual_payment(o["id"], method="cheque", amount_cents=o["total_cents"] // 2 + 1,
                                          reference=f"race {o['id']} {k}", recorded_by=None))
            for o in unpaid for k in range(2)]
    work += [quietly(refund_order(paid[0]["id"], 1000, reason="race")), quietly(cancel_order(paid[1])),
             quietly(_order(2, "member")), quietly(_order(1, "resident")),
             dashboard(event_id), dashboard(event_id)]
    failed = [e for e in await asyncio.gather(*work, return_exceptions=True) if isinstance(e, BaseException)]
    assert failed == []  # no deadlock, no error: every write either happened or was refused
    await _agree()


async def test_bulk_inserts_of_many_rows_in_one_statement_are_counted(db, demo):
    """tests/support/grow.py writes orders, attendees, payments, scans and claims a few hundred
    rows to a statement, as an import would: the tallies still agree."""
    from tests.support.grow import grow

    await grow(SLUG, 90)
    event_id = await _event_id()
    assert await people.differences(event_id) == []
    assert await money.differences(event_id) == []
    assert await cme.differences(event_id) == []
    assert (await cme.sums(event_id))[("claimed", "")][0] > 10


async def test_the_worker_folds_piled_up_tallies_so_no_page_view_has_to(db, demo):
    from confops.jobs import fold_tallies
    from confops.payments.tables import EventMoney

    event_id = await _event_id()
    before = (await people.counts(event_id), await money.totals(event_id), await cme.sums(event_id))
    await fold_tallies(0)  # everything folded once
    rows = [await t.count().where(t.event == event_id) for t in (AttendeeTally, EventMoney)]
    for person in await Attendee.select(Attendee.id, Attendee.profession).where(Attendee.event == event_id).limit(20):
        for profession in ("nurse", person["profession"]):
            await Attendee.update({Attendee.profession: profession}).where(Attendee.id == person["id"])
    assert await AttendeeTally.count().where(AttendeeTally.event == event_id) > rows[0] + 30
    assert await fold_tallies(30) == 1  # only the registrations' tally piled up past 30 rows
    assert [await t.count().where(t.event == event_id) for t in (AttendeeTally, EventMoney)] == rows
    assert (await people.counts(event_id), await money.totals(event_id), await cme.sums(event_id)) == before


async def test_personal_agenda_picks_per_session_follow_every_write_and_agree_with_the_rows(db, demo):
    """The dashboard's session fill counts the personal agendas: picks added one by one or many to
    a statement, removed, moved to another session (as /admin can), and its check agrees."""
    from confops.events import tallies as agendas
    from confops.events.tables import AgendaItem, Session

    event_id = await _event_id()
    sessions = [s["id"] for s in await Session.select(Session.id).where(
        (Session.event == event_id) & Session.kind.not_in(["break", "meal"])).order_by(Session.starts_at)][:3]

    async def taken() -> list[int]:
        assert await agendas.differences(event_id) == []
        fill = {f.label: f.taken for f in (await dashboard(event_id)).sessions}
        rows = Counter(r["session"] for r in await AgendaItem.select(AgendaItem.session).where(
            AgendaItem.session.is_in(sessions)))
        labels = [f"{s['code']} {s['title']}".strip() for s in await Session.select(Session.code, Session.title).where(
            Session.id.is_in(sessions)).order_by(Session.starts_at)]
        assert [fill[label] for label in labels] == [rows[s] for s in sessions]
        return [rows[s] for s in sessions]

    before = await taken()
    await AgendaItem.insert(*[AgendaItem(user=90000 + u, session=s) for u in range(5) for s in sessions[:2]])
    await AgendaItem(user=90010, session=sessions[2]).save()
    assert await taken() == [before[0] + 5, before[1] + 5, before[2] + 1]
    await AgendaItem.delete().where((AgendaItem.user == 90000) & (AgendaItem.session == sessions[0]))
    await AgendaItem.update({AgendaItem.session: sessions[2]}).where(
        (AgendaItem.user == 90001) & (AgendaItem.session == sessions[1]))
    assert await taken() == [before[0] + 4, before[1] + 4, before[2] + 2]

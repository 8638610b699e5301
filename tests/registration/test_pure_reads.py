"""Reading what an event sells writes nothing, and an unpaid hold past its due time counts as a
free place at once: on the public pages (read) and for the next buyer (in the transaction that
writes their order), never only after the expiry sweeper has run."""

import asyncio
import importlib.util
import io
import re
from datetime import timedelta
from pathlib import Path

from confops.core import clock
from confops.core.errors import Conflict
from confops.db import connection_pool
from confops.events.tables import Event
from confops.registration.catalog import load_catalog
from confops.registration.consistency import check
from confops.registration.holds import release_expired
from confops.registration.orders import place_order
from confops.registration.tables import Attendee, EventSales, Order
from tests.registration.factory import make_event, order, person
from tests.support.http import post_form
from tests.support.statements import statements_counted

MIGRATION = Path(__file__).resolve().parents[2] / "migrations" / "confops_2026_12_06t13_50_00_000000.py"
WRITES = re.compile(r"^\s*(INSERT|UPDATE|DELETE|REPLACE)\b|\bWITH\b.*\b(INSERT|UPDATE|DELETE)\b", re.I | re.S)


def place(o):
    return place_order("meeting", o, hold_minutes=30, base_url="http://x")


async def expire(order_id: int) -> None:
    await Order.update({Order.expires_at: clock.now() - timedelta(minutes=1)}).where(Order.id == order_id)


def writes(statements: list[str]) -> list[str]:
    return [s for s in statements if WRITES.search(s)]


async def test_reading_the_event_writes_nothing(client):
    """An event whose hold expired, read as the public sees it (event page, registration form)
    and as an order reads it: not one INSERT, UPDATE or DELETE."""
    await make_event(capacity=1)
    held = await place(order(person(), key="hold"))
    with clock.frozen_at(clock.now() + timedelta(days=20)), statements_counted() as seen:
        await load_catalog("meeting")
        await load_catalog("meeting", live=True)
        assert (await client.get("/events/meeting")).status_code == 200
        assert (await client.get("/events/meeting/register")).status_code == 200
    assert seen and not writes(seen), writes(seen)
    assert (await Order.select(Order.status).where(Order.id == held.id).first())["status"] == "awaiting_payment"


def _as_read(text: str) -> str:
    """A page without what differs between two renderings of the same state (the CSRF token, the
    charts' element ids)."""
    text = re.sub(r'(name="_csrf_token" value=|csrf[-_]token" content=)"[^"]*"', r"\1", text)
    return re.sub(r"\bchart\d+-", "chart-", text)


def _pdf_text(response) -> str:
    from pypdf import PdfReader

    return " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)


def _shown(response) -> str:
    if response.headers["content-type"].startswith("application/pdf"):
        return _pdf_text(response)
    return _as_read(response.text)


async def test_an_order_past_its_due_time_reads_as_expired_and_writes_nothing(client):
    """Its hold ran out and the sweeper has not run: the order page, the pay page, the status the
    pay page polls and the API show it expired, exactly as once swept, and not one of those
    reads writes (its places stay counted until a write path or the sweeper lets them go), nor
    does its receipt, which says so too."""
    await make_event(capacity=1)
    held = await place(order(person(), key="hold"))
    token = {"token": held.token}
    later = clock.now() + timedelta(days=20)
    urls = (f"/orders/{held.id}", f"/orders/{held.id}/pay", f"/orders/{held.id}/payment.json",
            f"/orders/{held.id}/demographics/", f"/api/v1/orders/{held.id}")
    with clock.frozen_at(later):
        await client.get("/events/meeting")  # the CSRF cookie, as a browser arrives with it
        with statements_counted() as seen:
            unswept = [await client.get(url, params=token) for url in urls]
            receipt = await client.get(f"/orders/{held.id}/receipt.pdf", params=token)
        assert seen and not writes(seen), writes(seen)
        assert [r.status_code for r in unswept] == [200] * len(urls)
        page, pay, polled, _, api = unswept
        assert "Expired unpaid" in page.text and 'id="expired"' in page.text and "Pay now" not in page.text
        assert 'id="expired"' in pay.text and "Balance due" not in pay.text and 'id="pay-by"' not in pay.text
        assert polled.json()["status"] == "expired" and polled.json()["due_cents"] == 0
        assert "Statement of account" in _pdf_text(receipt) and "Pro-forma" not in _pdf_text(receipt)
        assert api.json()["status"] == "expired" and [a["status"] for a in api.json()["attendees"]] == ["expired"]
        assert (await Order.select(Order.status).where(Order.id == held.id).first())["status"] == "awaiting_payment"
        assert (await EventSales.select(EventSales.sold).first())["sold"] == 1
        assert await release_expired() == 1
        swept = [await client.get(url, params=token) for url in (*urls, f"/orders/{held.id}/receipt.pdf")]
    assert [_shown(r) for r in (*unswept, receipt)] == [_shown(r) for r in swept]


async def test_a_change_to_an_order_past_its_due_time_lets_its_hold_go_first(client):
    """A write path (cancel, pay by another method, answers, demographics) meets the order as
    the buyer was shown it: it expires that order in a transaction of its own (the sweeper's
    work for it, no other order's) and then refuses as for any expired order."""
    await make_event(capacity=2)
    held = await place(order(person(), key="hold"))
    other = await place(order(person(email="b@example.org"), key="other"))
    await Order.update({Order.expires_at: clock.now() + timedelta(days=30)}).where(Order.id == other.id)
    attendee = (await Attendee.select(Attendee.id).where(Attendee.order == held.id).first())["id"]
    page = f"/orders/{held.id}?token={held.token}"
    with clock.frozen_at(clock.now() + timedelta(days=20)):
        cancel = await post_form(client, f"/orders/{held.id}/cancel", {"token": held.token}, page=page)
        assert cancel.status_code == 409 and "already closed" in cancel.text
        assert (await Order.select(Order.status).where(Order.id == held.id).first())["status"] == "expired"
        assert (await EventSales.select(EventSales.sold).first())["sold"] == 1  # the other order's place only
        assert (await Order.select(Order.status).where(Order.id == other.id).first())["status"] == "awaiting_payment"
    for url, form in ((f"/orders/{held.id}/pay-by", {"pay_by": "cheque"}),
                      (f"/orders/{held.id}/answers", {"attendee": str(attendee), "dietary": "vegan"}),
                      (f"/orders/{held.id}/demographics/", {"consent": "yes"})):
        refused = await post_form(client, url, {"token": held.token, **form}, page=page)
        assert refused.status_code in (404, 409), (url, refused.status_code)
    assert (await Attendee.select(Attendee.dietary).where(Attendee.id == attendee).first())["dietary"] == ""
    assert await check() == []


async def test_each_write_path_expires_the_order_past_its_due_time_itself(client):
    """Not the read before it: each POST on its own finds the hold past due and lets it go."""
    await make_event(capacity=5)
    forms = {"pay-by": {"pay_by": "cheque"}, "answers": {"dietary": "vegan"}, "demographics/": {"consent": "yes"},
             "cancel": {"confirm": "yes"}, "billing": {}, "transfer": {"first_name": "Cal", "last_name": "C",
                                                                         "email": "cal@example.org"}}
    for path, form in forms.items():
        held = await place(order(person(email=f"{path[:4]}@example.org"), key=f"hold-{path}"))
        attendee = (await Attendee.select(Attendee.id).where(Attendee.order == held.id).first())["id"]
        await client.get("/events/meeting")
        with clock.frozen_at(clock.now() + timedelta(days=20)):
            await post_form(client, f"/orders/{held.id}/{path}", {"token": held.token, "attendee": str(attendee), **form})
            row = await Order.select(Order.status).where(Order.id == held.id).first()
        assert row["status"] == "expired", path
    assert (await EventSales.select(EventSales.sold).first())["sold"] == 0
    assert await check() == []


async def test_an_event_made_without_the_services_reads_without_writing(db):
    """No sales row and no catalog stamp (an event added by SQL or the admin site): the read
    answers with the defaults and writes nothing; the first order creates the row."""
    await make_event(capacity=2)
    await EventSales.delete().where(EventSales.event.is_not_null())
    with statements_counted() as seen:
        catalog = await load_catalog("meeting")
    assert not writes(seen), writes(seen)
    assert catalog.places_left == 2 and not await EventSales.exists().where(EventSales.event.is_not_null())
    assert (await place(order(person(), key="first"))).created
    assert (await EventSales.select(EventSales.sold).first())["sold"] == 1
    assert await check() == []


async def test_the_buyer_frees_the_expired_hold_the_sweeper_then_finds_nothing(db):
    await make_event(capacity=1)
    held = await place(order(person(), key="hold"))
    await expire(held.id)
    assert (await place(order(person(email="next@example.org"), key="next"))).created
    assert await release_expired() == 0  # the buyer's transaction freed it already
    assert await check() == []


async def test_an_expired_hold_frees_its_category_and_add_on_places_too(db):
    await make_event(capacity=None, category_capacity=1, workshop_capacity=1)
    held = await place(order(person("member", addons={"workshop": 1}), key="hold"))
    full = await load_catalog("meeting", live=True)
    assert {c["code"]: c["left"] for c in full.categories}["member"] == 0
    await expire(held.id)
    live = await load_catalog("meeting", live=True)
    assert {c["code"]: c["left"] for c in live.categories}["member"] == 1
    assert {a["code"]: a["left"] for a in live.addons}["workshop"] == 1
    assert (await place(order(person("member", email="b@example.org", addons={"workshop": 1}), key="b"))).created
    assert await check() == []


async def test_a_hold_that_expires_after_the_read_still_frees_its_place(db):
    """The buyer read the event while the hold was still valid (sold out to them is not the
    question: a second place was free); it expires before they submit."""
    await make_event(capacity=2)
    held = await place(order(person(), person(email="b@example.org"), key="hold"))
    await load_catalog("meeting")  # sold out, read before the hold expired
    await expire(held.id)
    assert (await place(order(person(email="late@example.org"), key="late"))).created
    assert await check() == []


async def test_concurrent_buyers_of_the_last_place_whose_hold_just_expired(db):
    """The attack: one place, held by an order that has just expired, twenty buyers at once and
    the sweeper running beside them. Exactly one buyer gets it; nothing is oversold or lost."""
    await make_event(capacity=3)
    await place(order(person(email="a@example.org"), key="a"))
    await place(order(person(email="b@example.org"), key="b"))
    held = await place(order(person(email="c@example.org"), key="hold"))
    await expire(held.id)
    await load_catalog("meeting")

    async def buy(i: int):
        try:
            return await place(order(person(email=f"p{i}@example.org"), key=f"race-{i}"))
        except Conflict as exc:
            assert exc.code == "sold_out", exc
            return None

    async with connection_pool(db.engine, size=10):
        results = await asyncio.gather(*(buy(i) for i in range(20)), release_expired())
    bought = [r for r in results[:-1] if r is not None]
    assert len(bought) == 1
    sold = (await EventSales.select(EventSales.sold).first())["sold"]
    capacity = (await Event.select(Event.capacity).first())["capacity"]
    active = await Attendee.count().where(Attendee.status == "active")
    assert sold == active == capacity == 3  # oversold 0, lost 0
    assert await check() == []


async def test_an_expired_hold_with_people_waiting_goes_to_the_waitlist_not_the_public(db):
    from confops.registration.waitlist import join_waitlist

    await make_event(capacity=1)
    held = await place(order(person(), key="hold"))
    await join_waitlist("meeting", "Wes Waiting", "wes@example.org")
    await expire(held.id)
    assert (await load_catalog("meeting", live=True)).sold_out


async def test_the_migration_gives_every_old_event_its_sales_row_and_a_stamp(db):
    """Events from before the services made both (or made by SQL) are mended once, by the
    migration, instead of by every read."""
    await make_event(slug="old")
    await make_event(slug="older")
    await EventSales.delete().where(EventSales.event == (await Event.select(Event.id).where(Event.slug == "old").first())["id"])
    await EventSales.update({EventSales.catalog_stamp: ""}).where(EventSales.event.is_not_null())
    spec = importlib.util.spec_from_file_location("held_index_migration", MIGRATION)
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    for step in (await migration.forwards()).raw:
        await step()
    rows = await EventSales.select(EventSales.catalog_stamp, EventSales.sold)
    assert len(rows) == 2 and all(len(r["catalog_stamp"]) == 16 and r["sold"] == 0 for r in rows)
    assert len({r["catalog_stamp"] for r in rows}) == 2


async def test_an_expired_hold_goes_to_a_paid_order_waiting_not_the_public(db):
    """A paid order with no place waits in line (paid_waiting): the place of a hold expiring
    now is its own, so the public still sees the event sold out."""
    from confops.registration.tables import PaidWait

    await make_event(capacity=1)
    first = await place(order(person(), key="first"))
    await expire(first.id)
    assert await release_expired() == 1
    held = await place(order(person(email="b@example.org"), key="held"))
    await PaidWait.insert(PaidWait(order=first.id, event=(await Event.select(Event.id).first())["id"], places=1))
    await expire(held.id)
    assert (await load_catalog("meeting", live=True)).sold_out


async def test_a_hold_expiring_behind_a_kept_catalog_still_frees_its_place(db):
    """PostgreSQL decides an order from the catalog its process kept (no read): kept with
    places left and no expired hold, then the hold expires and the other places sell. The
    order's statement is refused, the fresh read sees the expired hold, and the order that
    frees it is placed."""
    await make_event(capacity=3)
    held = await place(order(person(), key="hold"))
    await load_catalog("meeting")  # two places left, kept
    assert (await place(order(person(email="x@example.org"), person(email="y@example.org"), key="two"))).created
    await expire(held.id)
    assert (await place(order(person(email="late@example.org"), key="late"))).created
    assert (await Order.select(Order.status).where(Order.id == held.id).first())["status"] == "expired"
    assert await check() == []


async def test_staff_pages_over_piled_up_tallies_sum_them_and_write_nothing(client, demo):
    """More than a fold's worth of unfolded tally rows (a busy hour, a bulk import): the
    dashboard, the payments page and the CME pages sum them as they are and write nothing;
    the figures are those the worker's fold then leaves."""
    from confops.cme.tables import CmeTally
    from confops.jobs import fold_tallies
    from confops.payments.tables import EventMoney
    from confops.registration.tables import AttendeeTally
    from tests.payments.test_staff_pages import sign_in

    slug = "abs-national-meeting"
    event_id = (await Event.select(Event.id).where(Event.slug == slug).first())["id"]
    await fold_tallies(0)
    person = await AttendeeTally.select(AttendeeTally.state, AttendeeTally.category, AttendeeTally.profession,
                                        AttendeeTally.day).where(AttendeeTally.event == event_id).first()
    pile = 1_002  # rows summing to nothing, as many +1 and -1 as a day of changes appends
    await AttendeeTally.insert(*(AttendeeTally(event=event_id, **person, n=(-1) ** i) for i in range(pile)))
    await CmeTally.insert(*(CmeTally(event=event_id, kind="claimed", key="", n=(-1) ** i) for i in range(pile)))
    await EventMoney.insert(*(EventMoney(event=event_id, paid_cents=(-1) ** i * 100) for i in range(pile)))
    pages = (f"/staff/events/{slug}/dashboard", f"/staff/events/{event_id}/payments", f"/staff/events/{slug}/cme/")

    async def read() -> list[str]:
        await sign_in(client, "registrar@example.org")
        with statements_counted() as seen:
            answers = [await client.get(url) for url in pages]
        await sign_in(client, "cme@example.org")
        with statements_counted() as also:
            answers.append(await client.get(f"/staff/events/{slug}/cme/learners"))
        assert [r.status_code for r in answers] == [200] * 4
        assert seen and also and not writes(seen + also), writes(seen + also)
        return [_as_read(r.text) for r in answers]

    unfolded = await read()
    assert await AttendeeTally.count().where(AttendeeTally.event == event_id) > pile
    assert await fold_tallies(1_000) == 3  # the worker's job each minute: all three piled past 1,000 rows
    assert await read() == unfolded

"""One cheque, several orders (issue 24, "a duplicate cheque reference").

A department's cheque may pay for several people, so the same reference on two orders is not
wrong in itself; typed on a second order by mistake it would count the money twice. Staff are
told which orders already carry it and say so with a box; nothing is written until they do.
Only the organizer's own orders are named: a registrar of another society learns nothing."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

from confops.accounts.service import create_user
from confops.accounts.tables import Organizer
from confops.backoffice.tables import AuditEntry
from confops.core.auth import Role
from confops.events.tables import Event
from confops.payments.service import record_manual_payment
from confops.payments.tables import EventMoney, Payment
from confops.registration.consistency import check
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.orders import place_order
from confops.registration.tables import EventSales, Order
from tests.payments.test_staff_pages import demo_order, sign_in
from tests.support.http import post_form


@pytest.fixture
def settings(settings):
    return dataclasses.replace(settings, stripe_secret_key="", stripe_webhook_secret="", stripe_api_base="")


def _form(placed, reference: str, **more) -> dict:
    return {"payment_method": "cheque", "payment_amount": f"{placed.total_cents / 100:.2f}",
            "payment_reference": reference, **more}


async def _written() -> tuple:
    """Everything a recorded payment changes: its rows, the orders' states, the counters, the audit."""
    orders = await Order.select(Order.id, Order.status).order_by(Order.id)
    sales = await EventSales.select().order_by(EventSales.event)
    return (await Payment.count(), orders, sales, await EventMoney.count(), await AuditEntry.count())


async def test_a_cheque_on_another_order_is_refused_by_name_until_staff_say_it_pays_several(client, demo):
    first, second, third = await demo_order("dept-a"), await demo_order("dept-b"), await demo_order("dept-c")
    await sign_in(client, "registrar@example.org")
    ok = await post_form(client, f"/staff/orders/{first.id}/manual-payments", _form(first, "Chq 4471"),
                         page=f"/staff/orders/{first.id}/payments")
    assert ok.status_code == 200 and 'id="notice"' in ok.text

    before = await _written()
    url = f"/staff/orders/{second.id}/manual-payments"
    for typed in ("Chq 4471", "  chq   4471 ", "CHQ 4471"):
        refused = await post_form(client, url, _form(second, typed), page=f"/staff/orders/{second.id}/payments")
        assert refused.status_code == 422, (typed, refused.status_code)
        error = refused.text.split('id="payment_reference-error"')[1].split("</p>")[0]
        assert f"order {first.id} (Pat Payer)" in error and "This cheque pays several orders" in error
        assert refused.text.count('class="error"') == 1  # under the reference only
        assert 'id="payment_several_orders"' in refused.text
        assert await _written() == before
    assert await check() == []

    shared = await post_form(client, url, _form(second, "chq 4471", payment_several_orders="1"))
    assert shared.status_code == 200 and 'id="notice"' in shared.text
    assert await Payment.count().where(Payment.order == second.id) == 1
    assert (await Order.select(Order.status).where(Order.id == second.id).first())["status"] == "confirmed"
    history = shared.text.split('id="history"')[1]
    assert f"the same reference pays order {first.id} (Pat Payer)" in history

    # a third order is told about both that already carry it
    third_try = await post_form(client, f"/staff/orders/{third.id}/manual-payments", _form(third, "Chq 4471"),
                                page=f"/staff/orders/{third.id}/payments")
    assert third_try.status_code == 422
    assert f"order {first.id} (Pat Payer) and order {second.id} (Pat Payer)" in third_try.text
    # the same cheque twice on one order stays refused, box or not
    part = {**_form(third, "Chq 12", payment_several_orders="1"), "payment_amount": "10.00"}
    assert (await post_form(client, f"/staff/orders/{third.id}/manual-payments", part)).status_code == 200
    again = await post_form(client, f"/staff/orders/{third.id}/manual-payments", part)
    assert again.status_code == 422 and "already recorded on this order" in again.text
    assert await Payment.count().where(Payment.order == third.id) == 1
    assert await check() == []


async def test_the_box_on_a_reference_no_one_else_has_just_records(client, demo):
    placed = await demo_order("lonely")
    await sign_in(client, "registrar@example.org")
    r = await post_form(client, f"/staff/orders/{placed.id}/manual-payments",
                        _form(placed, "Chq 9001", payment_several_orders="1"),
                        page=f"/staff/orders/{placed.id}/payments")
    assert r.status_code == 200 and 'id="notice"' in r.text
    assert "the same reference pays" not in r.text
    assert await Payment.count().where(Payment.order == placed.id) == 1
    assert await check() == []


async def test_another_societys_orders_are_never_named_nor_block(client, demo):
    org = Organizer(slug="nafm", name="Nordic Association for Family Medicine", short_name="NAFM",
                    address="Oslo", city="Oslo", country="NO", email="office@nafm.example.org")
    await org.save()
    theirs = await Event.select(Event.id).where(Event.slug == "online-residents-group").first()
    await Event.update({Event.organizer: org.id}).where(Event.id == theirs["id"])
    await create_user("registrar@nafm.example.org", "Nora Registrar", password="confops-demo",
                      roles=[("nafm", Role.registrar)])
    ours = await demo_order("abs-dept")
    await record_manual_payment(ours.id, method="cheque", amount_cents=ours.total_cents, reference="Chq 555",
                                recorded_by=None)
    nafm = await place_order("online-residents-group", OrderIn(
        buyer_name="Nils Nordmann", buyer_email="nils@example.org", idempotency_key="nafm-shared-ref",
        attendees=[AttendeeIn(category="resident", email="nils@example.org", first_name="Nils", last_name="Nordmann",
                              credentials="MD", answers={"first_meeting": "yes"})]),
        hold_minutes=30, base_url="http://testserver.local")
    assert nafm.total_cents > 0

    await sign_in(client, "registrar@nafm.example.org")
    r = await post_form(client, f"/staff/orders/{nafm.id}/manual-payments", _form(nafm, "chq 555"),
                        page=f"/staff/orders/{nafm.id}/payments")
    assert r.status_code == 200 and 'id="notice"' in r.text
    assert "Pat Payer" not in r.text and f"order {ours.id} " not in r.text
    assert await Payment.count().where(Payment.order == nafm.id) == 1

    # and the other way: the society's own second order is told about its own order only
    other = await demo_order("abs-dept-2")
    client.cookies.clear()
    await sign_in(client, "registrar@example.org")
    refused = await post_form(client, f"/staff/orders/{other.id}/manual-payments", _form(other, "Chq 555"),
                              page=f"/staff/orders/{other.id}/payments")
    assert refused.status_code == 422 and f"order {ours.id} (Pat Payer)" in refused.text
    assert "Nils Nordmann" not in refused.text and f"order {nafm.id} " not in refused.text
    assert await check() == []


async def test_the_same_cheque_on_two_orders_at_the_same_moment_is_recorded_once(db):
    from confops.registration.orders import place_order as place
    from tests.registration.factory import make_event, order, person

    await make_event()
    orders = [await place("meeting", order(person(email=f"race{n}@example.org"), key=f"race-{n}",
                                           buyer_email=f"race{n}@example.org"), hold_minutes=30,
                          base_url="http://x") for n in range(4)]

    async def record(placed):
        try:
            return await record_manual_payment(placed.id, method="cheque", amount_cents=placed.total_cents,
                                               reference="Chq 7000", recorded_by=None)
        except Exception as exc:  # noqa: BLE001 - the refusals are what is checked
            return exc

    results = await asyncio.gather(*(record(p) for p in orders))
    assert sum(1 for r in results if isinstance(r, dict)) == 1, results
    assert all(getattr(r, "status_code", None) == 422 for r in results if not isinstance(r, dict))
    assert await Payment.count() == 1
    assert await check() == []

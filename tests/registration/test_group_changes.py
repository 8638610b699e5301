"""After a group order: cancel one attendee (refund shown first), substitute an attendee into
another category (balance due or refund through payments), staff edit any answer (audited),
consented demographics stored apart and only counted."""

import re

import pytest

from confops.core.errors import Conflict, Invalid
from confops.core.extension import provides
from confops.registration import demographics, group
from confops.registration.orders import confirm_order, order_by_token, place_order
from confops.registration.selfservice import transfer
from confops.registration.tables import (
    Answer,
    Attendee,
    AttendeeAddOn,
    Category,
    Demographics,
    EventSales,
    Order,
)
from tests.registration.factory import make_event, order, person
from tests.support.http import post_form


def place(o):
    return place_order("meeting", o, hold_minutes=30, base_url="http://x")


async def group_order(key="g", **kw):
    placed = await place(order(person("member", "m@example.org", first_name="Mo", addons={"workshop": 1}),
                               person("resident", "r@example.org", first_name="Rae"), key=key, **kw))
    await confirm_order(placed.id)
    return placed, await order_by_token(placed.id, placed.token)


async def test_cancel_one_attendee_of_a_group_refunds_their_share_and_frees_their_places(db):
    await make_event()
    placed, row = await group_order()
    mo, rae = await Attendee.select().order_by(Attendee.id)
    preview = await group.attendee_refund_preview(row, rae["id"])
    assert (preview.paid_cents, preview.refund_cents) == (70000, 56000)  # 80 %: > 60 days before
    done = await group.cancel_attendee(row, rae["id"])
    assert done.refund_cents == 56000
    after = await Order.select().where(Order.id == placed.id).first()
    assert (after["status"], after["total_cents"], after["refund_cents"]) == ("confirmed", 87500 + 15000, 56000)
    assert (await EventSales.select(EventSales.sold).first())["sold"] == 1
    assert {c["code"]: c["sold"] for c in await Category.select()} == {"member": 1, "resident": 0}
    rae_now = await Attendee.select().where(Attendee.id == rae["id"]).first()
    assert rae_now["status"] == "cancelled" and rae_now["token_version"] == rae["token_version"] + 1
    with pytest.raises(Exception):  # noqa: B017 - NotFound: no longer active
        await group.cancel_attendee(await order_by_token(placed.id, placed.token), rae["id"])
    # The last attendee cancels the whole order (and their workshop place comes back).
    await group.cancel_attendee(await order_by_token(placed.id, placed.token), mo["id"])
    assert (await Order.select(Order.status).where(Order.id == placed.id).first())["status"] == "cancelled"
    assert (await EventSales.select(EventSales.sold).first())["sold"] == 0
    assert await AttendeeAddOn.count() == 1


async def test_substitution_into_a_dearer_category_leaves_a_balance_due(db):
    from confops.payments.ledger import balance_of

    await make_event()
    placed, row = await group_order()
    rae = (await Attendee.select().order_by(Attendee.id))[1]
    diff = await transfer(row, rae["id"], {"first_name": "Sal", "last_name": "Sub", "email": "sal@example.org"},
                          category_code="member")
    assert diff == 87500 - 70000
    after = await Order.select().where(Order.id == placed.id).first()
    assert after["total_cents"] == 87500 + 15000 + 87500
    assert (await balance_of(after)).due_cents == after["total_cents"]  # nothing paid yet in this test
    sal = await Attendee.select().where(Attendee.id == rae["id"]).first()
    assert (sal["email"], sal["price_cents"]) == ("sal@example.org", 87500)
    assert {c["code"]: c["sold"] for c in await Category.select()} == {"member": 2, "resident": 0}


async def _paid_by_card(order_id: int, amount_cents: int, monkeypatch) -> None:
    """A succeeded card payment, and the payments area's refund with the provider call replaced
    by a recorded refund (no Stripe needed)."""
    from confops.payments import refunds as payment_refunds
    from confops.payments.tables import Payment, Refund

    await Payment(order=order_id, provider="stripe", provider_id="pi_test", method="card", amount_cents=amount_cents,
                  currency="USD", message="", reference="", status="succeeded").save()

    async def manual_refund_payment(payment, amount, **kw):
        await Refund(payment=payment["id"], order=payment["order"], amount_cents=amount, currency="USD",
                     reason=kw["reason"], kind=kw["kind"], provider_id=f"re_test_{amount}").save()
        return await Refund.select().where(Refund.provider_id == f"re_test_{amount}").first()

    monkeypatch.setattr(payment_refunds, "_refund_payment", manual_refund_payment)


async def test_substitution_into_a_cheaper_category_refunds_through_payments(db, monkeypatch):
    from confops.payments.tables import Refund

    await make_event()
    placed, row = await group_order()
    await _paid_by_card(placed.id, 87500 + 15000 + 70000, monkeypatch)
    mo = (await Attendee.select().order_by(Attendee.id))[0]
    diff = await transfer(row, mo["id"], {"first_name": "Res", "last_name": "Ident", "email": "res@example.org"},
                          category_code="resident")
    assert diff == 70000 - 87500
    assert [(r["amount_cents"], r["kind"]) for r in await Refund.select()] == [(17500, "substitution")]
    assert (await Order.select(Order.total_cents).where(Order.id == placed.id).first())["total_cents"] == (
        70000 + 15000 + 70000)


async def test_a_part_of_an_order_is_refunded_by_card_only(db, monkeypatch):
    """Money paid by hand stays on the ledger as a credit; card money goes back at once."""
    from confops.payments.refunds import refund_by_card
    from confops.payments.tables import Refund

    await make_event()
    placed, _ = await group_order()
    assert await refund_by_card(placed.id, 1000, reason="x", kind="substitution") == 0  # nothing paid
    await _paid_by_card(placed.id, 50000, monkeypatch)
    assert await refund_by_card(placed.id, 1000, reason="x", kind="substitution") == 1000
    assert (await Refund.select(Refund.kind).first())["kind"] == "substitution"


audit: list[dict] = []


@provides("staff_change")
async def _record(**entry):
    audit.append(entry)


async def test_staff_edit_any_answer_after_the_deadline_is_audited(db):
    from datetime import timedelta

    from confops.core import clock
    from confops.events.tables import Event
    from confops.registration.staff import staff_edit_answers

    event_id = await make_event()
    await place(order(person(), key="s"))
    await Event.update({Event.edit_deadline: clock.now() - timedelta(days=1)}).where(Event.id == event_id)
    attendee = await Attendee.select().first()
    audit.clear()
    await staff_edit_answers(event_id, attendee["id"], {"institution": "Clinic", "first_name": "Anna"},
                             {"first_meeting": "no"}, actor_id=7)
    assert (await Answer.select(Answer.value).first())["value"] == "no"
    (entry,) = audit
    assert (entry["actor_id"], entry["action"], entry["entity_id"]) == (7, "registration.edit_answers", attendee["id"])
    assert entry["before"]["first_name"] == "Ana" and entry["after"]["first_name"] == "Anna"
    assert entry["before"]["answers"] == {"first_meeting": "yes"} and entry["after"]["answers"] == {"first_meeting": "no"}
    with pytest.raises(Invalid) as caught:
        await staff_edit_answers(event_id, attendee["id"], {"first_name": ""}, {"first_meeting": "maybe"}, actor_id=7)
    assert {"first_name", "answers.first_meeting"} <= set(caught.value.field_messages())
    assert len(audit) == 1 and (await Attendee.select(Attendee.first_name).first())["first_name"] == "Anna"


async def test_demographics_are_stored_apart_and_only_counted(db):
    await make_event()
    placed, row = await group_order()
    values = {"gender": "Woman", "age_band": "30-39", "race_ethnicity": "", "professional_role": "Physician"}
    with pytest.raises(Invalid) as caught:
        await demographics.record(row, values, consent=False)
    assert "consent" in caught.value.field_messages()
    with pytest.raises(Invalid):
        await demographics.record(row, {**values, "gender": "<b>x</b>"}, consent=True)
    assert await Demographics.count() == 0
    await demographics.record(row, values, consent=True)
    await demographics.record(await order_by_token(placed.id, placed.token), values, consent=True)
    with pytest.raises(Conflict):  # two attendees, two answers at most
        await demographics.record(await order_by_token(placed.id, placed.token), values, consent=True)
    assert (await Order.select(Order.demographics_count).first())["demographics_count"] == 2
    stored = await Demographics.select().first()
    assert set(stored) == {"id", "event", "race_ethnicity", "gender", "age_band", "professional_role", "recorded_on"}
    assert stored["recorded_on"].day == 1
    counts = await demographics.counts(stored["event"])
    assert ("Woman", "fewer than 5") in counts["gender"]


DEMO_ANSWERS = {"first_meeting": "yes"}


async def test_pages_staff_answers_demographics_and_cancel_one(client, demo):
    from tests.registration.test_staff import sign_in

    slug = "abs-national-meeting"
    form = await client.get(f"/events/{slug}/register")
    assert form.status_code == 200
    event_categories = [c["code"] for c in await Category.select(Category.code)]
    assert "member" in event_categories
    staff_base = f"/staff/events/{slug}/registrations"
    someone = await Attendee.select().where(Attendee.status == "active").first()
    assert (await client.get(f"{staff_base}/attendees/{someone['id']}")).status_code in (303, 401)
    await sign_in(client, "registrar@example.org")
    page = await client.get(f"{staff_base}/attendees/{someone['id']}")
    assert page.status_code == 200 and someone["last_name"] in page.text
    bad = await post_form(client, f"{staff_base}/attendees/{someone['id']}", {"first_name": "", "last_name": "X"})
    assert bad.status_code == 422 and "This is required." in bad.text
    ok = await post_form(client, f"{staff_base}/attendees/{someone['id']}",
                         {"first_name": someone["first_name"], "last_name": someone["last_name"],
                          "institution": "<script>x</script>"})
    assert ok.status_code == 200 and "audit log" in ok.text and "&lt;script&gt;" in ok.text
    listing = await client.get(staff_base + "/")
    assert f"/registrations/attendees/{someone['id']}" in listing.text

    placed = await place_order(slug, order(person("member", "m@example.org", answers=DEMO_ANSWERS),
                                           person("member", "n@example.org", first_name="Nia", answers=DEMO_ANSWERS),
                                           key="pages"), hold_minutes=30, base_url="http://x")
    await confirm_order(placed.id)
    mine = f"/orders/{placed.id}"
    dem = await client.get(f"{mine}/demographics", params={"token": placed.token})
    assert dem.status_code == 200 and "apart from your registration" in dem.text
    assert (await client.get(f"{mine}/demographics", params={"token": "wrong"})).status_code == 404
    refused = await post_form(client, f"{mine}/demographics", {"token": placed.token, "gender": "Man"})
    assert refused.status_code == 422 and "Tick the box" in refused.text
    saved = await post_form(client, f"{mine}/demographics", {"token": placed.token, "gender": "Man", "consent": "yes"})
    assert saved.status_code == 200 and "1 of this order" in saved.text
    order_page = await client.get(mine, params={"token": placed.token})
    assert "1 answered" in order_page.text and "Man" not in re.sub(r"<[^>]+>", "", order_page.text).split()
    nia = (await Attendee.select(Attendee.id).where(Attendee.email == "n@example.org").first())["id"]
    preview = await post_form(client, f"{mine}/attendees/{nia}/cancel", {"token": placed.token})
    assert preview.status_code == 200 and 'id="attendee-refund"' in preview.text
    done = await post_form(client, f"{mine}/attendees/{nia}/cancel", {"token": placed.token, "confirm": "yes"})
    assert done.status_code == 200 and "The attendee is cancelled" in done.text
    assert (await Attendee.select(Attendee.status).where(Attendee.id == nia).first())["status"] == "cancelled"
    wrong = await post_form(client, f"{mine}/attendees/{nia}/cancel", {"token": "nope", "confirm": "yes"})
    assert wrong.status_code == 404


async def test_personal_data_and_privacy_keep_through_the_extension(db):
    from confops.accounts.tables import User
    from confops.core.extension import collect

    await make_event()
    await group_order()
    user = await User.select().where(User.email == "r@example.org").first()
    sections = [s for s in await collect("personal_data", user_id=user["id"], email="R@example.org") if s]
    (mine,) = [s for s in sections if "Registrations" in s]
    assert [r["first_name"] for r in mine["Registrations"]] == ["Rae"] and mine["Orders you placed"] == []
    buyer = [s for s in await collect("personal_data", user_id=0, email="buyer@example.org") if "Orders you placed" in s]
    assert len(buyer[0]["Orders you placed"]) == 1
    keeps = [k for ks in await collect("privacy_keep", user_id=user["id"], email="r@example.org") for k in ks]
    assert any("registration" in k.reason and k.attendee_fields is None for k in keeps)  # all of it, until the event

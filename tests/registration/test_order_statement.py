"""On PostgreSQL an order is placed in one statement (order_statement.py) unless it shares a
caller's transaction; both ways must write exactly the same rows, and the one statement must
keep nothing when any of its claims finds no room."""

import json

import pytest

from confops.accounts.tables import User
from confops.core.errors import Conflict
from confops.core.tables import OutboxMessage
from confops.db import current_engine, is_sqlite, transaction
from confops.registration.orders import place_order
from confops.registration.tables import (
    AddOn,
    Answer,
    Attendee,
    AttendeeAddOn,
    Category,
    DiscountCode,
    EventSales,
    Order,
)
from tests.registration.factory import make_event, order, person
from tests.support.statements import statements_seen


def _group(key: str, code: str = ""):
    return order(
        person("resident", "ana@example.org", addons={"workshop": 1, "book": 2}, answers={"first_meeting": "yes"},
               dietary="vegetarian", accessibility="step-free access", institution="Clínica Ñuñoa"),
        person("member", "bo@example.org", first_name="Bo", last_name="Berg", addons={}, answers={"first_meeting": "no"}),
        person("resident", "buyer@example.org", first_name="Bea", last_name="Buyer", addons={"book": 1},
               answers={"first_meeting": "no"}),
        key=key, code=code)


async def _written(order_id: int) -> dict:
    """Everything the order wrote, without the ids and secrets that differ by nature."""
    head = await Order.select().where(Order.id == order_id).first()
    for k in ("id", "idempotency_key", "token_hash", "created_at", "confirmed_at", "expires_at"):
        head.pop(k)
    people = await Attendee.select().where(Attendee.order == order_id).order_by(Attendee.id)
    index = {p["id"]: i for i, p in enumerate(people)}
    addons = [(index[a["attendee"]], a["addon"], a["quantity"], a["price_cents"]) for a in await AttendeeAddOn.select(
        ).where(AttendeeAddOn.attendee.is_in(list(index))).order_by(AttendeeAddOn.id)]
    answers = sorted((index[a["attendee"]], a["question"], a["value"]) for a in await Answer.select().where(
        Answer.attendee.is_in(list(index))))
    mails = []
    for m in await OutboxMessage.select().where(OutboxMessage.dedupe_key.like(f"%:{order_id}:%")).order_by(
            OutboxMessage.id):
        payload = json.loads(m["payload"])
        params = payload["params"]
        assert params.pop("order_id") == order_id
        attendee = params.pop("attendee_id")
        mails.append((m["to_address"], m["subject"], m["dedupe_key"].replace(f":{order_id}:", ":#:"),
                      payload["renderer"], sorted(params), None if attendee is None else index[attendee], m["status"],
                      m["attempts"], m["last_error"], m["sent_at"]))
    for p in people:
        for k in ("id", "order", "checkin_code", "created_at"):
            p.pop(k)
    return {"order": head, "people": people, "addons": addons, "answers": answers, "mails": mails}


async def _counters() -> tuple:
    return ((await EventSales.select(EventSales.sold).first())["sold"],
            [c["sold"] for c in await Category.select(Category.sold).order_by(Category.id)],
            [a["sold"] for a in await AddOn.select(AddOn.sold).order_by(AddOn.id)],
            [d["used"] for d in await DiscountCode.select(DiscountCode.used).order_by(DiscountCode.id)])


@pytest.mark.parametrize("complimentary", [False, True], ids=["paid-with-code", "complimentary-with-mail"])
async def test_one_statement_writes_what_the_transaction_writes(db, complimentary):
    await make_event()

    async def place(key):
        return await place_order("meeting", _group(key, code="" if complimentary else "SAVE10"), hold_minutes=30,
                                 base_url="http://x", complimentary=complimentary)

    direct = await place("direct")
    async with transaction():  # inside a caller's transaction: the long way on both engines
        long_way = await place("long-way")
    assert direct.status == long_way.status == ("confirmed" if complimentary else "awaiting_payment")
    assert direct.total_cents == long_way.total_cents
    assert (direct.expires_at is None) == (long_way.expires_at is None)
    one, other = await _written(direct.id), await _written(long_way.id)
    assert one == other
    assert len(one["people"]) == 3 and len(one["addons"]) == 3 and len(one["answers"]) == 3
    if complimentary:  # the buyer, and each attendee someone else registered, once
        assert [(m[0], m[5]) for m in one["mails"]] == [
            ("buyer@example.org", None), ("ana@example.org", 0), ("bo@example.org", 1)]
    else:  # the acknowledgement (how to pay, by when) to the buyer
        assert [(m[0], m[2], m[5]) for m in one["mails"]] == [("buyer@example.org", "acknowledgement:#:buyer@example.org",
                                                               None)]
    assert {u["email"] for u in await User.select(User.email)} == {"ana@example.org", "bo@example.org",
                                                                   "buyer@example.org"}


async def test_one_statement_makes_the_accounts_the_transaction_makes(db):
    """The accounts area's rows, written by its part of the statement and by its own INSERT."""
    await make_event()
    first, last = "Maximiliana " + "Wolkenstein-" * 7 + "Anna", "Ruiz-" * 20  # 201 characters with the space

    def people(tag):
        return order(person(email=f"ana.{tag}@example.org", first_name=first, last_name=last),
                     person(email=f"bo.{tag}@example.org", first_name="Bo", last_name="Berg"),
                     key=f"accounts-{tag}-key", buyer_email=f"buyer.{tag}@example.org")

    await place_order("meeting", people("direct"), hold_minutes=30, base_url="http://x")
    async with transaction():
        await place_order("meeting", people("long"), hold_minutes=30, base_url="http://x")

    async def accounts(tag):
        rows = await User.select(User.email, User.display_name, User.password_hash, User.active).where(
            User.email.like(f"%.{tag}@%")).order_by(User.email)
        return [{**r, "email": r["email"].replace(f".{tag}@", ".#@")} for r in rows]

    direct = await accounts("direct")
    assert direct == await accounts("long")
    assert [(a["email"], a["password_hash"], a["active"]) for a in direct] == [
        ("ana.#@example.org", "", True), ("bo.#@example.org", "", True), ("buyer.#@example.org", "", True)]
    assert direct[0]["display_name"] == f"{first} {last}"[:200]


async def test_a_late_refusal_in_the_statement_keeps_none_of_the_earlier_claims(db):
    # The event, the category and the code have room; the workshop (claimed after them) has not.
    await make_event(workshop_capacity=1)
    await place_order("meeting", order(person(addons={"workshop": 1}), key="first"), hold_minutes=30,
                      base_url="http://x")
    before = await _counters()
    orders, users = await Order.count(), await User.count()
    with pytest.raises(Conflict) as caught:
        await place_order("meeting", order(person(email="cy@example.org", addons={"workshop": 1}), key="second",
                                           code="SAVE10", buyer_email="cy@example.org"),
                          hold_minutes=30, base_url="http://x")
    assert caught.value.code == "addon_full"
    assert await _counters() == before
    assert (await Order.count(), await User.count()) == (orders, users)


async def _statements_sent(placing) -> tuple[object, list[str]]:
    """What `placing` gave, and the first word of each statement it sent."""
    with statements_seen() as seen:
        result = await placing
    return result, [query.split()[0] for query, _ in seen]


async def test_on_postgresql_an_order_is_one_round_trip(db):
    # Once this process has read the event, the order is one statement: the event's
    # fingerprint, claims, rows, accounts and mail. After a change to the event that one is
    # refused (nothing written), and the event is read afresh before the order is placed.
    # (SQLite has no INSERT or UPDATE inside WITH: there the order is a transaction.)
    event_id = await make_event()
    await place_order("meeting", order(person(), key="first"), hold_minutes=30, base_url="http://x",
                      complimentary=True)  # the first order reads the event and its price list
    placed, sent = await _statements_sent(
        place_order("meeting", _group("g"), hold_minutes=30, base_url="http://x", complimentary=True))
    assert placed.created and placed.status == "confirmed" and await Attendee.count() == 4
    assert sent == ([] if is_sqlite(current_engine()) else ["WITH"]), sent

    await EventSales.update({EventSales.cancellation_fee_cents: 1000}).where(EventSales.event == event_id)
    placed, sent = await _statements_sent(place_order(
        "meeting", order(person(email="late@example.org"), key="after-edit"), hold_minutes=30, base_url="http://x",
        complimentary=True))
    assert placed.created and await Attendee.count() == 5
    assert sent == ([] if is_sqlite(current_engine()) else ["WITH", "SELECT", "WITH"]), sent

"""A group leader's roll call counts the whole session towards the attendance threshold; a
corrected roll call (absent) takes it back."""

from confops.attendance.service import progress
from confops.core import extension
from confops.events.tables import Event, Session
from confops.payments.service import record_manual_payment
from confops.registration.tables import Attendee


async def test_roll_call_counts_and_a_correction_takes_it_back(client, demo):
    event = await Event.select().where(Event.slug == "online-residents-group").first()
    session = (await Session.select().where(Session.event == event["id"]).order_by(Session.starts_at))[0]
    body = {"buyer_name": "Rita Roll", "buyer_email": "rita@example.org", "idempotency_key": "roll-call-order-0001",
            "attendees": [{"category": "resident", "email": "rita@example.org", "first_name": "Rita", "last_name": "Roll",
                           "answers": {"first_meeting": "yes"}}]}
    order = (await client.post("/api/v1/events/online-residents-group/orders", json=body)).json()
    await record_manual_payment(order["id"], method="cheque", amount_cents=order["total_cents"], reference="chq",
                                recorded_by=None)
    attendee = (await Attendee.select(Attendee.id).where(Attendee.order == order["id"]).first())["id"]
    await extension.emit("group_meeting_attended", attendee_id=attendee, session_id=session["id"], meeting_id=None,
                         attended_at=session["starts_at"], present=True, marked_by=None)
    _, _, people = await progress(event["id"])
    rita = next(p for p in people if p["id"] == attendee)
    assert (rita["attended"], rita["minutes"]) == (1, 90)
    await extension.emit("group_meeting_attended", attendee_id=attendee, session_id=session["id"], meeting_id=None,
                         attended_at=session["starts_at"], present=False, marked_by=None)
    _, _, people = await progress(event["id"])
    assert next(p for p in people if p["id"] == attendee)["attended"] == 0

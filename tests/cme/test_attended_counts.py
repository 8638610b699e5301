"""One story of the numbers (issue 30): the learners counted as having attendance recorded (the
CME page, the learner list's "attended, not claimed" filter, the dashboard's CME panel) are
counted by the window credit uses. A scan into a session a day before it began proves nothing
about the session: the learner's credit ignores it, and so do the counts."""

from __future__ import annotations

from datetime import timedelta

from confops.cme import learners
from confops.cme.learner_list import counts, learner_page
from confops.cme.listeners import claims_progress
from confops.core.extension import emit
from confops.events.tables import Event
from tests.cme.support import SLUG, learner, meeting_over, session


async def _scan(attendee_id: int, code: str, at_offset: timedelta) -> None:
    s = await session(code)
    await emit("session_scan_accepted", attendee_id=attendee_id, session_id=s["id"], direction="in",
               scanned_at=s["starts_at"] + at_offset, list_id=1)


async def _figures(event: dict) -> tuple[int, int, int]:
    [panel] = await claims_progress(event_id=event["id"])
    return (await counts(event))["attended"], (await learner_page(event, show="attended")).total, dict(panel.data)[
        "Attended"]


async def test_a_scan_outside_every_window_is_not_counted_as_attendance(demo):
    await meeting_over()
    event = await Event.select().where(Event.slug == SLUG).first()
    morgan = await learner("morgan@example.org")

    await _scan(morgan["id"], "P1", -timedelta(days=1))  # the day before: passing the door, not attending
    assert not (await learners.state(morgan, event))["attended"]
    assert await _figures(event) == (0, 0, 0)

    await _scan(morgan["id"], "P1", -timedelta(minutes=2))  # inside the window: attended, and counted
    assert (await learners.state(morgan, event))["attended"]
    assert await _figures(event) == (1, 1, 1)


async def test_an_unpaid_learners_attendance_is_not_counted_until_paid(demo):
    """Only a settled registration can claim (cme/learners.py standings): the counts, the
    "attended, not claimed" list (whom the reminder is for) and the panel leave the unpaid out
    alike, as the dashboard's "confirmed" does."""
    from confops.registration.intake import AttendeeIn, OrderIn
    from confops.registration.orders import place_order
    from confops.registration.tables import Attendee

    await meeting_over()
    event = await Event.select().where(Event.slug == SLUG).first()
    order = await place_order(SLUG, OrderIn(
        buyer_name="Uma Unpaid", buyer_email="uma@example.org", idempotency_key="attended-unpaid-0001",
        attendees=[AttendeeIn(category="member", email="uma@example.org", first_name="Uma", last_name="Unpaid",
                              answers={"first_meeting": "no"})]), hold_minutes=30, base_url="http://testserver.local")
    uma = await Attendee.select().where(Attendee.order == order.id).first()
    await _scan(uma["id"], "P1", -timedelta(minutes=2))
    assert await _figures(event) == (0, 0, 0)

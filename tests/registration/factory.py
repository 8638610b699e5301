"""A small published event with categories, add-ons, codes and questions, for service tests."""

from __future__ import annotations

from datetime import timedelta

from confops.accounts.tables import Organizer
from confops.core import clock
from confops.events.tables import Event
from confops.registration.capacity import ensure_sales
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.tables import AddOn, Category, DiscountCode, EventSales, Question


async def make_event(*, capacity: int | None = 50, slug: str = "meeting", starts_in_days: int = 90,
                     category_capacity: int | None = None, workshop_capacity: int | None = 5) -> int:
    org = Organizer(slug=f"org-{slug}", name="Society", short_name="S")
    await org.save()
    start = clock.now() + timedelta(days=starts_in_days)
    event = Event(organizer=org.id, slug=slug, title="Annual Meeting", kind="national_meeting",
                  status="published", starts_at=start, ends_at=start + timedelta(days=2), capacity=capacity,
                  venue_name="Hall", registration_opens_at=clock.now() - timedelta(days=1),
                  registration_closes_at=start - timedelta(days=1), edit_deadline=start - timedelta(days=7))
    await event.save()
    await ensure_sales(event.id)
    await EventSales.update({EventSales.refund_tiers: "60:80,30:50"}).where(EventSales.event == event.id)
    await Category.insert(
        Category(event=event.id, code="member", label="Member", early_cents=80000, regular_cents=87500,
                 late_cents=90000, capacity=category_capacity, position=1),
        Category(event=event.id, code="resident", label="Resident / student / fellow", early_cents=64000,
                 regular_cents=70000, late_cents=75000, position=2),
    )
    await AddOn.insert(
        AddOn(event=event.id, code="workshop", label="Pre-conference workshop", price_cents=15000,
              capacity=workshop_capacity),
        AddOn(event=event.id, code="book", label="The ABS book", price_cents=2500, max_per_attendee=3),
    )
    await DiscountCode.insert(
        DiscountCode(event=event.id, code="SAVE10", kind="percent", percent=10, categories=""),
        DiscountCode(event=event.id, code="OLD", kind="fixed", amount_cents=5000,
                     expires_at=clock.now() - timedelta(days=1), categories=""),
        DiscountCode(event=event.id, code="ONCE", kind="fixed", amount_cents=5000, max_uses=1, categories=""),
        DiscountCode(event=event.id, code="RESONLY", kind="fixed", amount_cents=5000, categories="resident"),
        DiscountCode(event=event.id, code="SCHOLAR", kind="free", max_uses=1, categories="",
                     issued_to_name="Sam Scholar", issued_to_email="sam@example.org"),
    )
    await Question.insert(Question(event=event.id, key="first_meeting", label="Is this your first meeting?",
                                   required=True, choices="yes\nno"))
    return event.id


def person(category: str = "resident", email: str = "ana@example.org", **extra) -> AttendeeIn:
    values = dict(first_name="Ana", last_name="Lima", pronouns="she/her", answers={"first_meeting": "yes"})
    values.update(extra)
    return AttendeeIn(category=category, email=email, **values)


def order(*people: AttendeeIn, key: str = "k1", code: str = "", buyer_email: str = "buyer@example.org") -> OrderIn:
    return OrderIn(buyer_name="Bea Buyer", buyer_email=buyer_email, attendees=list(people or [person()]),
                   idempotency_key=key, code=code)


async def door_accepts(token: str) -> int | None:
    """What the door scanner does with a scanned QR (check-in area's verifier, the event's
    key, the attendee's current token version): the attendee id, or None when refused."""
    from confops.checkin import tokens
    from confops.checkin.service import event_key
    from confops.registration.config import CONFIG
    from confops.registration.tables import Attendee

    parsed = tokens.parse(token)
    if parsed is None:
        return None
    claims = parsed[0]
    row = await Attendee.select(Attendee.token_version, Attendee.status).where(Attendee.id == claims.attendee_id).first()
    current = row["token_version"] if row and row["status"] == "active" else None
    result = tokens.verify(token, key=await event_key(claims.event_id, CONFIG.secret), current_version=current)
    return claims.attendee_id if result.ok else None

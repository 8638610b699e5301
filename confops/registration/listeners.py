"""What registration tells other areas through confops.core.extension (no imports between areas).

personal_data: the person's registrations (as attendee) and orders (as buyer), for the privacy
  export. Demographics are not included: they are stored without any link to a person, so
  they cannot be found, and that is the point.
privacy_keep: registrations for events that have not ended are a reason to keep the person.
confirmed_registrants: the e-mails attending an event on a confirmed order (schedule changes).
is_confirmed_registrant: whether one e-mail does (speakers' materials after the session).
"""

from __future__ import annotations

from confops.core import clock
from confops.core.extension import Keep, provides
from confops.registration import mine
from confops.registration.tables import Attendee, AttendeeStatus, Order


@provides("personal_data")
async def personal_data(*, user_id: int, email: str) -> dict[str, list[dict]]:
    email = (email or "").strip().lower()
    if not email:
        return {}
    attendees = await Attendee.select(
        Attendee.id, Attendee.event.title.as_alias("event"), Attendee.first_name, Attendee.last_name,
        Attendee.badge_name, Attendee.credentials, Attendee.pronouns, Attendee.institution, Attendee.city_region,
        Attendee.profession, Attendee.dietary, Attendee.accessibility, Attendee.email, Attendee.status,
        Attendee.category.label.as_alias("category"), Attendee.price_cents, Attendee.created_at,
    ).where(Attendee.email == email).order_by(Attendee.id)
    orders = await Order.select(
        Order.id, Order.event.title.as_alias("event"), Order.buyer_name, Order.buyer_email, Order.status,
        Order.total_cents, Order.currency, Order.created_at, Order.cancelled_at,
    ).where(Order.buyer_email == email).order_by(Order.id)
    return {"Registrations": attendees, "Orders you placed": orders}


@provides("privacy_keep")
async def privacy_keep(*, email: str, **_) -> list[Keep]:
    upcoming = await Attendee.count().where(
        (Attendee.email == email.lower()) & (Attendee.status == AttendeeStatus.active.value)
        & (Attendee.event.ends_at > clock.now()))
    return [Keep(f"{upcoming} registration(s) for events that have not ended yet")] if upcoming else []


@provides("confirmed_registrants")
async def confirmed_registrants(*, event_id: int) -> list[str]:
    return await mine.confirmed_registrant_emails(event_id)


@provides("is_confirmed_registrant")
async def is_confirmed_registrant(*, email: str, event_id: int) -> bool:
    return await mine.is_confirmed_registrant(email, event_id)

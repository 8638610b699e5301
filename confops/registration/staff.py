"""Staff work on registrations: search, the accessibility follow-up list, resend a
confirmation, edit any answer after the deadline, and complimentary registrations."""

from __future__ import annotations

from piccolo.columns.combination import WhereRaw

from confops.core import extension
from confops.core.auth import Principal, Role
from confops.core.errors import NotFound
from confops.core.paging import PAGE_SIZE, Page, paged
from confops.db import transaction
from confops.events.access import event_for_roles
from confops.registration.name_keys import search_pattern
from confops.registration.tables import Attendee, AttendeeStatus, Order

STAFF_ROLES = (Role.registrar,)


async def event_for_staff(slug: str, principal: Principal | None) -> dict:
    return await event_for_roles(slug, principal, STAFF_ROLES)


# The orders a registrations list may be sorted in: each ends in the id, so paging is stable.
SORTS = {
    "name": (Attendee.last_name, Attendee.first_name, Attendee.id),
    "newest": (Attendee.created_at, Attendee.id),
    "order": (Attendee.order, Attendee.id),
}
STATUS_FILTERS = {s.value for s in AttendeeStatus}


def _search_filter(event_id: int, q: str, status: str):
    where = Attendee.event == event_id
    q = (q or "").strip()[:100]
    if q:  # part of a name, e-mail or institution, without regard to case or accents (name_keys.py)
        where &= WhereRaw("registration_attendee.search_text LIKE {}", search_pattern(q))
    if status in STATUS_FILTERS:
        where &= Attendee.status == status
    return where


async def search(event_id: int, q: str = "", *, page: int = 1, sort: str = "name", status: str = "",
                 size: int = PAGE_SIZE) -> Page:
    """One page of the event's registrations matching the search, with the total; the search
    runs in the database, and the page, sort and filters stay in the page's links."""
    sort = sort if sort in SORTS else "name"
    where = _search_filter(event_id, q, status)
    columns = SORTS[sort]
    descending = sort == "newest"
    select = Attendee.select(
        Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.email, Attendee.institution,
        Attendee.status, Attendee.accessibility, Attendee.order, Attendee.order.status.as_alias("order_status"),
        Attendee.category.label.as_alias("category_label"),
    ).where(where).order_by(*columns, ascending=not descending)
    ids = Attendee.select(Attendee.id).where(where).order_by(*columns, ascending=not descending)
    return await paged(select, Attendee.select(Attendee.id).where(where), page, size,
                       params={"q": (q or "").strip()[:100], "status": status if status in STATUS_FILTERS else "",
                               "sort": "" if sort == "name" else sort}, keys=(Attendee.id, ids))


async def accessibility_followups(event_id: int, page: int = 1) -> Page:
    """One page of the people who asked for accessibility support, those not yet followed up first."""
    where = ((Attendee.event == event_id) & (Attendee.status == AttendeeStatus.active.value)
             & (Attendee.accessibility != ""))
    return await paged(Attendee.select(
        Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.email, Attendee.accessibility,
        Attendee.accessibility_followed_up,
    ).where(where).order_by(Attendee.accessibility_followed_up, Attendee.last_name, Attendee.id),
        Attendee.select(Attendee.id).where(where), page)


async def mark_followed_up(event_id: int, attendee_id: int, actor_id: int | None = None) -> None:
    before = await Attendee.select(Attendee.accessibility_followed_up).where(
        (Attendee.id == attendee_id) & (Attendee.event == event_id)).first()
    await Attendee.update({Attendee.accessibility_followed_up: True}).where(
        (Attendee.id == attendee_id) & (Attendee.event == event_id))
    if before is not None:
        await extension.emit("staff_change", actor_id=actor_id, action="accessibility_followed_up",
                             entity="attendee", entity_id=attendee_id, before=before,
                             after={"accessibility_followed_up": True})


async def place_staff_order(slug: str, order_in, *, actor_id: int | None, complimentary: bool, hold_minutes: int,
                            base_url: str):
    """A registration staff enter by hand (complimentary or not), logged as their change."""
    from confops.registration.orders import place_order

    placed = await place_order(slug, order_in, hold_minutes=hold_minutes, base_url=base_url,
                               complimentary=complimentary)
    await extension.emit("staff_change", actor_id=actor_id, action="registration_entered", entity="order",
                         entity_id=placed.id, before=None,
                         after={"buyer_email": order_in.buyer_email, "complimentary": complimentary,
                                "status": placed.status, "total_cents": placed.total_cents})
    return placed


async def resend_confirmation(event_id: int, order_id: int, sequence: str, actor_id: int | None = None) -> None:
    from confops.registration.emails import queue_confirmation
    from confops.registration.order_decision import order_token

    order = await Order.select(Order.id, Order.status, Order.idempotency_key).where(
        (Order.id == order_id) & (Order.event == event_id)).first()
    if order is None or order["status"] != "confirmed":
        raise NotFound("There is no confirmed order with that number.")
    async with transaction():
        await queue_confirmation(order_id, token=order_token(order["idempotency_key"]), dedupe=f"resend-{sequence}")
        await extension.emit("staff_change", actor_id=actor_id, action="confirmation_resent", entity="order",
                             entity_id=order_id, before=None, after={"resent": True})


AUDITED_FIELDS = ("first_name", "last_name", "badge_name", "credentials", "pronouns", "institution",
                  "city_region", "profession", "dietary", "accessibility", "email")


async def attendee_for_staff(event_id: int, attendee_id: int) -> dict:
    from confops.registration.orders import attendees_of

    row = await Attendee.select(Attendee.order).where((Attendee.id == attendee_id) & (Attendee.event == event_id)).first()
    if row is None:
        raise NotFound("There is no such attendee at this event.")
    return next(a for a in await attendees_of(row["order"]) if a["id"] == attendee_id)


def _audit_view(person: dict) -> dict:
    return {**{f: person[f] for f in AUDITED_FIELDS}, "answers": dict(sorted(person["answers"].items()))}


async def staff_edit_answers(event_id: int, attendee_id: int, fields: dict[str, str], answers: dict[str, str],
                             *, actor_id: int) -> None:
    """Staff change any answer, even after the attendees' edit deadline; the change and its
    audit entry (emit "staff_change" with before and after) commit together."""
    from confops.registration.selfservice import edit_answers

    before = await attendee_for_staff(event_id, attendee_id)
    order = await Order.select().where(Order.id == before["order"]).first()
    async with transaction():
        await edit_answers(order, attendee_id, fields, answers, staff=True)
        after = await attendee_for_staff(event_id, attendee_id)
        if _audit_view(before) != _audit_view(after):
            await extension.emit("staff_change", actor_id=actor_id, action="registration.edit_answers",
                       entity="registration_attendee", entity_id=attendee_id,
                       before=_audit_view(before), after=_audit_view(after))

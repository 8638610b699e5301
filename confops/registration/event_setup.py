"""Staff set up an event themselves: create it, edit what it is and when and where, its
registration settings (phases, cancellation policy), its categories, publish it when nothing is
missing, and copy last year's event with its catalog and program skeleton shifted in time.

Each change is one transaction (the event row, its sales row and the catalog stamp together),
so an order placed meanwhile is priced wholly before or wholly after it; each is audited.
"""

from __future__ import annotations

from datetime import date, datetime

from confops.accounts.tables import Organizer
from confops.core import extension
from confops.core.auth import Principal, Role, require
from confops.core.clock import days_later_same_wall_time, local, same_wall_time_in
from confops.core.errors import Conflict, FieldError, Invalid, collect
from confops.db import insert_or_ignore, transaction
from confops.events.access import event_for_roles
from confops.events.event_form import check_event_form, local_text, text_problem, whole_number
from confops.events.kinds import EventStatus
from confops.events.schedule import copy_schedule_version
from confops.events.tables import Event, Room, Session, Track
from confops.registration.capacity import ensure_sales
from confops.registration.catalog import catalog_changed
from confops.registration.sales_form import check_sales_form
from confops.registration.tables import AddOn, Category, DiscountCode, EventSales, Order, Question

SETUP_ROLES = (Role.registrar,)
_EVENT_FIELDS = ("title", "kind", "summary", "description", "timezone", "starts_at", "ends_at", "online",
                 "venue_name", "venue_address", "city", "region", "country", "capacity", "currency",
                 "registration_opens_at", "registration_closes_at", "edit_deadline")
_SALES_FIELDS = ("cancellation_policy", "refund_tiers", "cancellation_fee_cents", "early_bird_ends_at",
                 "early_bird_first_n", "late_starts_at", "payment_term_days", "reminder_days", "pre_event_days",
                 "payment_instructions")
_TIMES = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "edit_deadline")
STATUS_MOVES = {  # from -> the statuses staff may move it to here (cancelling has its own path)
    EventStatus.draft.value: (EventStatus.published.value,),
    EventStatus.published.value: (EventStatus.closed.value, EventStatus.draft.value),
    EventStatus.closed.value: (EventStatus.published.value,),
    EventStatus.cancelled.value: (),
}


async def _audit(principal: Principal, action: str, entity_id, before, after) -> None:
    await extension.emit("staff_change", actor_id=principal.user_id, action=action, entity="event",
                         entity_id=entity_id, before=before, after=after)


async def setup_organizers(principal: Principal | None) -> list[dict]:
    """The organizers this person may create events for."""
    if principal is None:
        return []
    rows = await Organizer.select(Organizer.id, Organizer.slug, Organizer.name).order_by(Organizer.name)
    return [r for r in rows if principal.has(r["id"], *SETUP_ROLES)]


async def event_for_setup(principal: Principal | None, slug: str) -> dict:
    return await event_for_roles(slug, principal, SETUP_ROLES)


def form_values(event: dict, sales: dict | None) -> dict[str, str]:
    """The stored event as the form shows it (times in the event's timezone)."""
    tz = event["timezone"]
    out = {k: ("" if event[k] is None else str(event[k])) for k in _EVENT_FIELDS if k not in _TIMES}
    out["online"] = "1" if event["online"] else ""
    out.update({k: local_text(event[k], tz) for k in _TIMES})
    sales = sales or {}
    out["cancellation_policy"] = sales.get("cancellation_policy", "tiered")
    out["refund_tiers"] = sales.get("refund_tiers", "60:80,30:50")
    fee = sales.get("cancellation_fee_cents", 0) or 0
    out["cancellation_fee"] = f"{fee // 100}.{fee % 100:02d}" if fee else ""
    out["early_bird_ends_at"] = local_text(sales.get("early_bird_ends_at"), tz)
    out["late_starts_at"] = local_text(sales.get("late_starts_at"), tz)
    out["early_bird_first_n"] = str(sales.get("early_bird_first_n") or "")
    out["payment_term_days"] = str(sales.get("payment_term_days", 14))
    out["reminder_days"] = sales.get("reminder_days", "7,2")
    out["pre_event_days"] = str(sales.get("pre_event_days", 3))
    out["payment_instructions"] = sales.get("payment_instructions") or ""
    return out


async def setup_values(event: dict, sales: dict | None) -> dict[str, str]:
    """The form's values, with the settings other areas keep (an online event's reminder hours)."""
    out = form_values(event, sales)
    for more in await extension.collect("event_setup_values", event_id=event["id"]):
        out.update(more or {})
    return out


def _checked(form: dict[str, str], *, new: bool) -> tuple[dict, dict]:
    ev = check_event_form(form, new=new)
    sales = check_sales_form(form, tz=ev.values.get("timezone") or "UTC", starts=ev.values.get("starts_at"),
                             ends=ev.values.get("ends_at"))
    collect(ev.problems + sales.problems)
    return ev.values, sales.values


async def create_event(principal: Principal | None, organizer_id: int, form: dict[str, str]) -> str:
    """A new event, always a draft: only staff see it until it is published."""
    require(principal, organizer_id, *SETUP_ROLES)
    values, sales = _checked(form, new=True)
    async with transaction():
        event_id = await insert_or_ignore(Event(organizer=organizer_id, status=EventStatus.draft.value, **values))
        if event_id is None:  # the database decides, so two staff creating one address at once get one event
            raise Invalid("Another event already has this web address.", field="slug")
        await EventSales.insert(EventSales(event=event_id, **sales))
        await catalog_changed(event_id)
        await _audit(principal, "event_created", event_id, None, {**values, **sales})
    return values["slug"]


async def update_event(principal: Principal | None, slug: str, form: dict[str, str]) -> None:
    event = await event_for_setup(principal, slug)
    values, sales_values = _checked(form, new=False)
    await ensure_sales(event["id"])
    sales = await EventSales.select().where(EventSales.event == event["id"]).first()
    problems: list[FieldError] = []
    if values["capacity"] is not None and values["capacity"] < sales["sold"]:
        problems.append(FieldError("capacity", f"{sales['sold']} places are already sold; the capacity cannot be lower."))
    if values["currency"] != event["currency"] and await Order.exists().where(Order.event == event["id"]):
        problems.append(FieldError("currency", "Orders were placed in this currency; it cannot change now."))
    old_tz, new_tz = event["timezone"], values["timezone"]
    sessions = await Session.select(Session.id, Session.title, Session.starts_at, Session.ends_at).where(
        Session.event == event["id"]).order_by(Session.starts_at)
    if new_tz != old_tz:  # the sessions keep their local wall times (see timezone_move)
        sessions = [{**s, "starts_at": same_wall_time_in(s["starts_at"], old_tz, new_tz),
                     "ends_at": same_wall_time_in(s["ends_at"], old_tz, new_tz)} for s in sessions]
    outside = [s for s in sessions if s["starts_at"] < values["starts_at"] or s["ends_at"] > values["ends_at"]]
    if outside:
        names = ", ".join(f"“{s['title']}”" for s in outside[:3]) + (" …" if len(outside) > 3 else "")
        problems.append(FieldError("starts_at", f"Sessions would fall outside these dates: {names}. Move them first."))
    for more in await extension.collect("event_setup_problems", event_id=event["id"], form=form):
        problems.extend(more or [])
    collect(problems)
    if new_tz != old_tz and (form.get("confirm_timezone") or "") != new_tz:
        move = await timezone_move(event, new_tz)
        if move:
            raise Conflict(move["message"], field="confirm_timezone", code="timezone_unconfirmed")
    async with transaction():
        await Event.update({getattr(Event, k): v for k, v in values.items()}).where(Event.id == event["id"])
        await EventSales.update({getattr(EventSales, k): v for k, v in sales_values.items()}).where(
            EventSales.event == event["id"])
        if new_tz != old_tz:
            for s in sessions:
                await Session.update({Session.starts_at: s["starts_at"], Session.ends_at: s["ends_at"]}).where(
                    Session.id == s["id"])
            await extension.emit("event_timezone_changed", event_id=event["id"], old_tz=old_tz, new_tz=new_tz)
        await extension.emit("event_setup_saved", event_id=event["id"], form=form, actor_id=principal.user_id)
        from confops.registration.paid_waiting import serve

        await serve(event["id"], 0)  # a raised capacity: paid orders waiting for a place take it first
        await catalog_changed(event["id"])
        await _audit(principal, "event_edited", event["id"],
                     {**{k: event[k] for k in values}, **{k: sales[k] for k in sales_values}},
                     {**values, **sales_values})


async def timezone_move(event: dict, new_tz: str) -> dict | None:
    """What changing the event's timezone moves, said before anything is saved (None when the
    event has neither sessions nor orders, so nothing is to be told).

    Local wall times are kept: the dates and times on the form are read in the new timezone, and
    every session keeps its local time of day (a 9:00 group stays at 9:00 there), which is how
    staff and registrants think of a program. The instants therefore move, and registrants'
    calendars follow. Orders keep their amounts and the due dates their buyers were given."""
    sessions = await Session.select(Session.title, Session.starts_at).where(Session.event == event["id"]).order_by(
        Session.starts_at)
    orders = await Order.count().where(Order.event == event["id"])
    if not sessions and not orders:
        return None
    old_tz = event["timezone"]
    parts = [f"Changing the timezone from {old_tz} to {new_tz} keeps local times: the dates and times on this "
             f"form are read in {new_tz}"]
    if sessions:
        first = sessions[0]
        wall = local(first["starts_at"], old_tz)
        moved = local(same_wall_time_in(first["starts_at"], old_tz, new_tz), old_tz)
        hours = (wall.replace(tzinfo=None) - moved.replace(tzinfo=None)).total_seconds() / 3600
        shift = (f"{abs(hours):g} hour{'s' if abs(hours) != 1 else ''} {'earlier' if hours > 0 else 'later'}"
                 if hours else "at the same moment")
        parts.append(f", and each of the {len(sessions)} sessions keeps its local time of day (“{first['title']}” "
                     f"stays at {wall.strftime('%a %b %-d, %H:%M')} in {new_tz}, which is {shift} than now)")
    parts.append(".")
    if orders:
        placed = "The order already placed keeps its" if orders == 1 else f"The {orders} orders already placed keep their"
        parts.append(f" {placed} amounts and due dates; registrants see the new times on their pages and calendars.")
    parts.append(" Nothing is saved until you confirm.")
    return {"message": "".join(parts), "sessions": len(sessions), "orders": orders}


async def add_category(principal: Principal | None, slug: str, form: dict[str, str]) -> None:
    """A new registration category with its eligibility and prices (edited later on the catalog page)."""
    from confops.events.event_form import amount_cents

    event = await event_for_setup(principal, slug)
    problems: list[FieldError] = []
    code = (form.get("code") or "").strip().lower()
    if not code or len(code) > 32 or not code.replace("_", "").isalnum() or not code.isascii():
        problems.append(FieldError("code", "Use 1–32 lower-case letters, digits and _."))
    label = (form.get("label") or "").strip()
    if msg := text_problem(label, 120, required=True):
        problems.append(FieldError("label", msg))
    eligibility = (form.get("eligibility") or "").strip()
    if msg := text_problem(eligibility, 1000, multiline=True):
        problems.append(FieldError("eligibility", msg))
    early = amount_cents(form.get("early", ""), "early", problems)
    regular = amount_cents(form.get("regular", ""), "regular", problems)
    late = amount_cents(form.get("late", ""), "late", problems) if (form.get("late") or "").strip() else regular
    capacity = whole_number(form.get("capacity", ""), "capacity", problems, minimum=1)
    collect(problems)
    await ensure_sales(event["id"])
    async with transaction():
        position = await Category.count().where(Category.event == event["id"])
        values = {"code": code, "label": label, "eligibility": eligibility, "early_cents": early or regular,
                  "regular_cents": regular, "late_cents": late, "capacity": capacity}
        if await insert_or_ignore(Category(event=event["id"], position=position, **values)) is None:
            raise Conflict("This event already has a category with that code.", field="code")
        await catalog_changed(event["id"])
        await _audit(principal, "category_added", event["id"], None, values)


async def add_addon(principal: Principal | None, slug: str, form: dict[str, str]) -> None:
    """A new add-on (a workshop with its own seats, a meal, the book), priced for each attendee."""
    from confops.events.event_form import amount_cents

    event = await event_for_setup(principal, slug)
    problems: list[FieldError] = []
    code = (form.get("addon_code") or "").strip().lower()
    if not code or len(code) > 32 or not code.replace("_", "").isalnum() or not code.isascii():
        problems.append(FieldError("addon_code", "Use 1–32 lower-case letters, digits and _."))
    label = (form.get("addon_label") or "").strip()
    if msg := text_problem(label, 160, required=True):
        problems.append(FieldError("addon_label", msg))
    price = amount_cents(form.get("addon_price", ""), "addon_price", problems)
    capacity = whole_number(form.get("addon_capacity", ""), "addon_capacity", problems, minimum=1)
    most = whole_number(form.get("addon_max", ""), "addon_max", problems, minimum=1, maximum=20) or 1
    collect(problems)
    await ensure_sales(event["id"])
    async with transaction():
        values = {"code": code, "label": label, "price_cents": price, "capacity": capacity, "max_per_attendee": most}
        position = await AddOn.count().where(AddOn.event == event["id"])
        if await insert_or_ignore(AddOn(event=event["id"], position=position, **values)) is None:
            raise Conflict("This event already has an add-on with that code.", field="addon_code")
        await catalog_changed(event["id"])
        await _audit(principal, "addon_added", event["id"], None, values)


async def publish_problems(event_id: int) -> list[str]:
    """What an event still lacks before people can register (each said in words)."""
    from confops.core import extension as ext

    event = await Event.select().where(Event.id == event_id).first()
    problems = []
    if not event["starts_at"] or not event["ends_at"]:
        problems.append("The event has no dates.")
    categories = await Category.select(Category.regular_cents, Category.early_cents).where(Category.event == event_id)
    if not categories:
        problems.append("Add at least one registration category: without one nobody can register.")
    elif not any(c["regular_cents"] or c["early_cents"] for c in categories):
        problems.append("No category has a price. Set the prices, or tick “this event is free” to publish it free.")
    if not event["online"] and not event["venue_name"]:
        problems.append("The event has no venue and is not online.")
    for more in await ext.collect("event_publish_problems", event_id=event_id):
        problems.extend(more or [])
    return problems


async def set_status(principal: Principal | None, slug: str, status: str, *, free: bool = False) -> None:
    event = await event_for_setup(principal, slug)
    if status not in STATUS_MOVES.get(event["status"], ()):
        raise Invalid(f"A {event['status']} event cannot be made {status} here.", field="status")
    if status == EventStatus.published.value:
        problems = await publish_problems(event["id"])
        if free:
            problems = [p for p in problems if not p.startswith("No category has a price")]
        if problems:
            raise Conflict("This event cannot be published yet: " + " ".join(problems), field="status",
                           code="not_ready")
    if status == EventStatus.draft.value and await Order.exists().where(Order.event == event["id"]):
        raise Conflict("People have registered: the event can be closed, but not made a draft again.", field="status")
    async with transaction():
        await Event.update({Event.status: status}).where(Event.id == event["id"])
        await catalog_changed(event["id"])
        await _audit(principal, "event_status", event["id"], {"status": event["status"]}, {"status": status})


def shift(moment: datetime | None, days: int, tz: str) -> datetime | None:
    return days_later_same_wall_time(moment, days, tz)


async def copy_event(principal: Principal | None, slug: str, form: dict[str, str]) -> str:
    """A new draft from a past event: its settings, catalog (nothing sold), rooms, tracks,
    sessions (without speakers) and its latest published program, every date moved by the same
    number of days at the same local wall time; the other areas copy their own settings for it
    (CME designation, check-in lists, series plan, attendance rule) on `event_copied`."""
    source = await event_for_setup(principal, slug)
    problems: list[FieldError] = []
    from confops.events.event_form import SLUG

    title = (form.get("copy_title") or "").strip()
    if msg := text_problem(title, 200, required=True):
        problems.append(FieldError("copy_title", msg))
    new_slug = (form.get("copy_slug") or "").strip().lower()
    if not SLUG.match(new_slug):
        problems.append(FieldError("copy_slug", "Use 3–80 lower-case letters, digits and hyphens."))
    try:
        new_day = date.fromisoformat((form.get("starts_on") or "").strip())
    except ValueError:
        problems.append(FieldError("starts_on", "Enter the new first day like 2027-05-06."))
        new_day = None
    collect(problems)
    if await Event.exists().where(Event.slug == new_slug):
        raise Invalid("Another event already has this web address.", field="copy_slug")
    tz = source["timezone"]
    days = (new_day - local(source["starts_at"], tz).date()).days
    skip = {"id", "slug", "title", "status", "created_at"}
    async with transaction():
        values = {k: v for k, v in source.items() if k not in skip}
        for k in _TIMES:
            values[k] = shift(values[k], days, tz)
        rows = await Event.insert(Event(slug=new_slug, title=title, status=EventStatus.draft.value, **values)).returning(
            Event.id)
        new_id = rows[0]["id"]
        sales = await EventSales.select().where(EventSales.event == source["id"]).first() or {}
        await EventSales.insert(EventSales(event=new_id, **{
            k: (shift(sales.get(k), days, tz) if k in ("early_bird_ends_at", "late_starts_at") else sales.get(k))
            for k in _SALES_FIELDS if k in sales}))
        for table in (Category, AddOn):
            for row in await table.select().where(table.event == source["id"]):
                await table.insert(table(**{**_plain(row), "event": new_id, "sold": 0}))
        for row in await Question.select().where(Question.event == source["id"]):
            await Question.insert(Question(**{**_plain(row), "event": new_id}))
        for row in await DiscountCode.select().where(
                (DiscountCode.event == source["id"]) & (DiscountCode.issued_to_email == "")):
            # general codes come along; scholarships were awarded to a person for that event
            await DiscountCode.insert(DiscountCode(**{**_plain(row), "event": new_id, "used": 0,
                                                      "expires_at": shift(row["expires_at"], days, tz)}))
        rooms, tracks = {}, {}
        for row in await Room.select().where(Room.event == source["id"]):
            rooms[row["id"]] = (await Room.insert(Room(**{**_plain(row), "event": new_id})).returning(Room.id))[0]["id"]
        for row in await Track.select().where(Track.event == source["id"]):
            tracks[row["id"]] = (await Track.insert(Track(**{**_plain(row), "event": new_id})).returning(Track.id))[0]["id"]
        sessions = {}
        for row in await Session.select().where(Session.event == source["id"]):
            sessions[row["id"]] = (await Session.insert(Session(**{
                **_plain(row), "event": new_id, "room": rooms.get(row["room"]), "track": tracks.get(row["track"]),
                "starts_at": shift(row["starts_at"], days, tz), "ends_at": shift(row["ends_at"], days, tz)})
            ).returning(Session.id))[0]["id"]
        await copy_schedule_version(source["id"], new_id, sessions, rooms, days, tz)
        await extension.emit("event_copied", source_id=source["id"], event_id=new_id, days=days, sessions=sessions)
        await catalog_changed(new_id)
        await _audit(principal, "event_copied", new_id, None, {"from": source["slug"], "slug": new_slug,
                                                              "title": title, "days_shifted": days})
    return new_slug


def _plain(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("id", "created_at")}


async def events_to_set_up(principal: Principal | None, organizer_ids: set[int]) -> list:
    """The staff events of the organizers where this person may set events up."""
    from confops.events.service import staff_events

    allowed = {r["slug"] for r in await Event.select(Event.slug).where(Event.organizer.is_in(list(organizer_ids)))}
    return [e for e in await staff_events(principal) if e.slug in allowed]


async def edit_page(event: dict) -> dict:
    """The set-up form's values and what the event sells, for its edit page."""
    sales = await EventSales.select().where(EventSales.event == event["id"]).first()
    return {"values": await setup_values(event, sales),
            "categories": await Category.select().where(Category.event == event["id"]).order_by(Category.position),
            "addons": await AddOn.select().where(AddOn.event == event["id"]).order_by(AddOn.position)}

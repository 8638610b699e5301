"""The tables staff download for an event: registrations with their answers, catering, access
follow-ups, signage name lists, payments and refunds — and whatever other areas add through
`collect("export_sources")` (check-ins, CME claims).

Each export is a source (core/extension.py `ExportSource`): listing them reads nothing, and a
download builds only the table asked for, reading its rows a chunk at a time in key order
(core/paging.py `chunks`), with the related rows of each chunk (answers, add-ons) in one query
per relation. Totals (the catering counts) are GROUP BY queries, not loops over people.

Headers are written for the person opening the file; money is in currency units, not cents.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import AsyncIterator

from piccolo.columns.combination import WhereRaw
from piccolo.query.functions.aggregate import Count

from confops.core import extension
from confops.core.errors import NotFound
from confops.core.extension import ExportSource, ExportTable
from confops.core.paging import chunks, within
from confops.payments.tables import Payment, Refund
from confops.registration.tables import (
    Answer,
    Attendee,
    AttendeeAddOn,
    AttendeeStatus,
    OrderStatus,
    Question,
)

# An export made of several tables: one workbook with a sheet for each.
WORKBOOKS = {"catering": ["catering-counts", "catering-list"]}

BY_NAME = (('"registration_attendee"."last_name"', "last_name"), ('"registration_attendee"."first_name"', "first_name"),
           ('"registration_attendee"."id"', "id"))


def _units(cents: int) -> float:
    return round(cents / 100, 2)


def _people(where, *columns):
    """Attendees matching `where`, by name, in chunks, with their category and order status."""
    def select(after):
        return Attendee.select(
            *(columns or Attendee.all_columns()), Attendee.category.label.as_alias("category_label"),
            Attendee.order.status.as_alias("order_status"),
        ).where(where if after is None else where & after).order_by(Attendee.last_name, Attendee.first_name,
                                                                    Attendee.id)
    return chunks(select, BY_NAME)


def _active_where(event_id: int):
    return ((Attendee.event == event_id) & (Attendee.status == AttendeeStatus.active.value)
            & (Attendee.order.status == OrderStatus.confirmed.value))


def _name_range(alias: str, people: list[dict]) -> WhereRaw:
    """The chunk's attendees (by their name-order keys) as seen through a join named `alias`."""
    keys = ("last_name", "first_name", "id")
    return within([f'"{alias}"."{k}"' for k in keys], [people[0][k] for k in keys], [people[-1][k] for k in keys])


async def _addons_by_attendee(event_id: int, people: list[dict]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if people:
        for r in await AttendeeAddOn.select(AttendeeAddOn.attendee, AttendeeAddOn.quantity,
                                            AttendeeAddOn.addon.label.as_alias("label")).where(
                (AttendeeAddOn.attendee.event == event_id) & _name_range("attendee_add_on$attendee", people)
        ).order_by(AttendeeAddOn.id):
            out[r["attendee"]].append(r["label"] + (f" ×{r['quantity']}" if r["quantity"] > 1 else ""))
    return out


async def _registrations(event_id: int):
    questions = await Question.select(Question.id, Question.label).where(
        Question.event == event_id).order_by(Question.position)
    headers = ["Registration no.", "Order no.", "Last name", "First name", "Name on badge", "Credentials",
               "Pronouns", "E-mail", "Institution", "City / region", "Profession", "Category",
               "Registration status", "Order status", "Price paid", "Add-ons", "Registered at (UTC)",
               *[q["label"] for q in questions]]

    async def rows() -> AsyncIterator[list[list]]:
        async for people in _people(Attendee.event == event_id):
            answers = {(a["attendee"], a["question"]): a["value"] for a in await Answer.select(
                Answer.attendee, Answer.question, Answer.value).where(
                (Answer.attendee.event == event_id) & _name_range("registration_answer$attendee", people))}
            addons = await _addons_by_attendee(event_id, people)
            yield [[p["id"], p["order"], p["last_name"], p["first_name"], p["badge_name"], p["credentials"],
                    p["pronouns"], p["email"], p["institution"], p["city_region"], p["profession"],
                    p["category_label"], p["status"], p["order_status"], _units(p["price_cents"]),
                    ", ".join(addons.get(p["id"], [])), p["created_at"],
                    *[answers.get((p["id"], q["id"]), "") for q in questions]] for p in people]
    return headers, rows()


def _dietary_key(text: str) -> str:
    return " ".join((text or "").split()).strip().lower()


async def _catering_counts(event_id: int):
    where = _active_where(event_id)
    counts: Counter = Counter()
    for r in await Attendee.select(Attendee.dietary, Count(alias="n")).where(where).group_by(
            Attendee.dietary):
        counts[_dietary_key(r["dietary"]) or "no special needs"] += r["n"]
    meals: Counter = Counter()
    for r in await AttendeeAddOn.select(AttendeeAddOn.addon.label.as_alias("label"), AttendeeAddOn.quantity,
                                        Count(alias="n")).where(
            (AttendeeAddOn.attendee.event == event_id)
            & (AttendeeAddOn.attendee.status == AttendeeStatus.active.value)
            & (AttendeeAddOn.attendee.order.status == OrderStatus.confirmed.value)).group_by(
            AttendeeAddOn.addon.label, AttendeeAddOn.quantity):
        meals[r["label"] + (f" ×{r['quantity']}" if r["quantity"] > 1 else "")] += r["n"]
    rows = [[need, n] for need, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    rows.append(["Total people", sum(counts.values())])
    rows += [[f"Add-on: {label}", n] for label, n in sorted(meals.items())]

    async def one() -> AsyncIterator[list[list]]:
        yield rows
    return ["Dietary need", "People"], one()


async def _catering_list(event_id: int):
    # trim() and <> '' read the same on both engines: people with something written down
    where = _active_where(event_id) & WhereRaw("trim(\"registration_attendee\".\"dietary\") <> ''")

    async def rows() -> AsyncIterator[list[list]]:
        async for people in _people(where):
            addons = await _addons_by_attendee(event_id, people)
            yield [[p["last_name"], p["first_name"], p["badge_name"] or p["first_name"], p["dietary"],
                    ", ".join(addons.get(p["id"], [])), p["category_label"]] for p in people]
    return ["Last name", "First name", "Name on badge", "Dietary needs", "Meals and add-ons", "Category"], rows()


async def _accessibility(event_id: int):
    where = ((Attendee.event == event_id) & (Attendee.status == AttendeeStatus.active.value)
             & (Attendee.accessibility != ""))

    def select(after):
        return Attendee.select(Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.email,
                               Attendee.accessibility, Attendee.accessibility_followed_up).where(
            where if after is None else where & after).order_by(
            Attendee.accessibility_followed_up, Attendee.last_name, Attendee.id)

    async def rows() -> AsyncIterator[list[list]]:
        async for chunk in chunks(select, (('"registration_attendee"."accessibility_followed_up"',
                                            "accessibility_followed_up"),
                                           ('"registration_attendee"."last_name"', "last_name"),
                                           ('"registration_attendee"."id"', "id"))):
            yield [[r["last_name"], r["first_name"], r["email"], r["accessibility"], r["accessibility_followed_up"]]
                   for r in chunk]
    return ["Last name", "First name", "E-mail", "Accessibility needs", "Followed up"], rows()


async def _signage(event_id: int):
    async def rows() -> AsyncIterator[list[list]]:
        async for people in _people(_active_where(event_id)):
            yield [[p["last_name"], p["first_name"], p["badge_name"] or p["first_name"], p["credentials"],
                    p["pronouns"], p["institution"], p["city_region"], p["category_label"]] for p in people]
    return ["Last name", "First name", "Name on badge", "Credentials", "Pronouns", "Institution", "City / region",
            "Category"], rows()


async def _payments(event_id: int):
    def select(after):
        where = Payment.order.event == event_id
        return Payment.select(*Payment.all_columns(), Payment.order.buyer_name.as_alias("buyer"),
                              Payment.order.buyer_email.as_alias("buyer_email")).where(
            where if after is None else where & after).order_by(Payment.id)

    async def rows() -> AsyncIterator[list[list]]:
        async for chunk in chunks(select, (('"payment"."id"', "id"),)):
            yield [[r["id"], r["order"], r["buyer"], r["buyer_email"], r["provider"], r["method"],
                    r["reference"] or r["provider_id"], r["status"], _units(r["amount_cents"]),
                    _units(r["refunded_cents"]), r["currency"], r["created_at"], r["succeeded_at"]] for r in chunk]
    return ["Payment no.", "Order no.", "Paid by", "Payer e-mail", "Provider", "Method", "Reference", "Status",
            "Amount", "Refunded", "Currency", "Created (UTC)", "Succeeded (UTC)"], rows()


async def _refunds(event_id: int):
    def select(after):
        where = Refund.order.event == event_id
        return Refund.select(*Refund.all_columns(), Refund.order.buyer_name.as_alias("buyer")).where(
            where if after is None else where & after).order_by(Refund.id)

    async def rows() -> AsyncIterator[list[list]]:
        async for chunk in chunks(select, (('"refund"."id"', "id"),)):
            yield [[r["id"], r["order"], r["payment"], r["buyer"], _units(r["amount_cents"]), r["currency"],
                    r["kind"], r["reason"], r["provider_id"], r["created_at"]] for r in chunk]
    return ["Refund no.", "Order no.", "Payment no.", "Paid by", "Amount", "Currency", "Kind", "Reason",
            "Provider reference", "Created (UTC)"], rows()


OWN = [
    ExportSource("registrations", "Registrations with answers", _registrations),
    ExportSource("catering-counts", "Dietary counts", _catering_counts),
    ExportSource("catering-list", "Dietary list", _catering_list),
    ExportSource("accessibility", "Accessibility follow-ups", _accessibility),
    ExportSource("signage", "Name list for signage", _signage),
    ExportSource("payments", "Payments", _payments),
    ExportSource("refunds", "Refunds", _refunds),
]


async def sources(event_id: int) -> list[ExportSource]:
    """Every export of the event, named, none of them read."""
    found = list(OWN)
    for answer in await extension.collect("export_sources", event_id=event_id):
        found.extend(answer or [])
    return found


async def sources_for(event_id: int, key: str) -> list[ExportSource]:
    """The source(s) of one download: a single table, or every sheet of a workbook like catering."""
    by_key = {s.key: s for s in await sources(event_id)}
    keys = WORKBOOKS.get(key, [key])
    if not all(k in by_key for k in keys):
        raise NotFound("There is no such export.")
    return [by_key[k] for k in keys]


async def table(source: ExportSource, event_id: int) -> ExportTable:
    """The whole table in memory: for tests and small tables, never for a download."""
    headers, batches = await source.build(event_id)
    return ExportTable(source.key, source.title, headers, [row async for batch in batches for row in batch])


async def tables_for(event_id: int, key: str) -> list[ExportTable]:
    return [await table(s, event_id) for s in await sources_for(event_id, key)]

"""The tables staff download for an event: registrations with their answers, catering, access
follow-ups, signage name lists, payments and refunds — and whatever other areas add through
`collect("export_tables")` (check-ins, CME claims).

Headers are written for the person opening the file; money is in currency units, not cents.
"""

from __future__ import annotations

from collections import Counter, defaultdict

from confops.core import extension
from confops.core.errors import NotFound
from confops.core.extension import ExportTable
from confops.payments.tables import Payment, Refund
from confops.registration.staff import accessibility_followups
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


def _units(cents: int) -> float:
    return round(cents / 100, 2)


def _name(a: dict) -> str:
    return f"{a['first_name']} {a['last_name']}".strip()


async def _active(event_id: int) -> list[dict]:
    return await Attendee.select(
        *Attendee.all_columns(), Attendee.category.label.as_alias("category_label"),
        Attendee.order.status.as_alias("order_status"),
    ).where((Attendee.event == event_id) & (Attendee.status == AttendeeStatus.active.value)
            & (Attendee.order.status == OrderStatus.confirmed.value)).order_by(Attendee.last_name, Attendee.first_name)


async def _addons_by_attendee(ids: list[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if ids:
        for r in await AttendeeAddOn.select(AttendeeAddOn.attendee, AttendeeAddOn.quantity,
                                            AttendeeAddOn.addon.label.as_alias("label")).where(
                AttendeeAddOn.attendee.is_in(ids)):
            out[r["attendee"]].append(r["label"] + (f" ×{r['quantity']}" if r["quantity"] > 1 else ""))
    return out


async def registrations(event_id: int) -> ExportTable:
    people = await Attendee.select(
        *Attendee.all_columns(), Attendee.category.label.as_alias("category_label"),
        Attendee.order.status.as_alias("order_status"),
    ).where(Attendee.event == event_id).order_by(Attendee.last_name, Attendee.first_name)
    questions = await Question.select(Question.id, Question.label).where(
        Question.event == event_id).order_by(Question.position)
    answers: dict[tuple[int, int], str] = {}
    if people:
        for a in await Answer.select(Answer.attendee, Answer.question, Answer.value).where(
                Answer.attendee.is_in([p["id"] for p in people])):
            answers[(a["attendee"], a["question"])] = a["value"]
    addons = await _addons_by_attendee([p["id"] for p in people])
    headers = ["Registration no.", "Order no.", "Last name", "First name", "Name on badge", "Credentials",
               "Pronouns", "E-mail", "Institution", "City / region", "Profession", "Category",
               "Registration status", "Order status", "Price paid", "Add-ons", "Registered at (UTC)",
               *[q["label"] for q in questions]]
    rows = [[p["id"], p["order"], p["last_name"], p["first_name"], p["badge_name"], p["credentials"],
             p["pronouns"], p["email"], p["institution"], p["city_region"], p["profession"],
             p["category_label"], p["status"], p["order_status"], _units(p["price_cents"]),
             ", ".join(addons.get(p["id"], [])), p["created_at"],
             *[answers.get((p["id"], q["id"]), "") for q in questions]] for p in people]
    return ExportTable("registrations", "Registrations with answers", headers, rows)


def _dietary_key(text: str) -> str:
    return " ".join((text or "").split()).strip().lower()


async def catering(event_id: int) -> list[ExportTable]:
    people = await _active(event_id)
    addons = await _addons_by_attendee([p["id"] for p in people])
    counts = Counter(_dietary_key(p["dietary"]) or "no special needs" for p in people)
    meals = Counter(label for items in addons.values() for label in items)
    count_rows = [[need, n] for need, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    count_rows.append(["Total people", len(people)])
    count_rows += [[f"Add-on: {label}", n] for label, n in sorted(meals.items())]
    listed = [[p["last_name"], p["first_name"], p["badge_name"] or p["first_name"], p["dietary"],
               ", ".join(addons.get(p["id"], [])), p["category_label"]]
              for p in people if (p["dietary"] or "").strip()]
    return [
        ExportTable("catering-counts", "Dietary counts", ["Dietary need", "People"], count_rows),
        ExportTable("catering-list", "Dietary list",
                    ["Last name", "First name", "Name on badge", "Dietary needs", "Meals and add-ons", "Category"],
                    listed),
    ]


async def accessibility(event_id: int) -> ExportTable:
    rows = await accessibility_followups(event_id)
    return ExportTable("accessibility", "Accessibility follow-ups",
                       ["Last name", "First name", "E-mail", "Accessibility needs", "Followed up"],
                       [[r["last_name"], r["first_name"], r["email"], r["accessibility"],
                         r["accessibility_followed_up"]] for r in rows])


async def signage(event_id: int) -> ExportTable:
    people = await _active(event_id)
    return ExportTable("signage", "Name list for signage",
                       ["Last name", "First name", "Name on badge", "Credentials", "Pronouns", "Institution",
                        "City / region", "Category"],
                       [[p["last_name"], p["first_name"], p["badge_name"] or p["first_name"], p["credentials"],
                         p["pronouns"], p["institution"], p["city_region"], p["category_label"]] for p in people])


async def payments(event_id: int) -> ExportTable:
    rows = await Payment.select(*Payment.all_columns(), Payment.order.buyer_name.as_alias("buyer"),
                                Payment.order.buyer_email.as_alias("buyer_email")).where(
        Payment.order.event == event_id).order_by(Payment.id)
    return ExportTable("payments", "Payments",
                       ["Payment no.", "Order no.", "Paid by", "Payer e-mail", "Provider", "Method", "Reference",
                        "Status", "Amount", "Refunded", "Currency", "Created (UTC)", "Succeeded (UTC)"],
                       [[r["id"], r["order"], r["buyer"], r["buyer_email"], r["provider"], r["method"],
                         r["reference"] or r["provider_id"], r["status"], _units(r["amount_cents"]),
                         _units(r["refunded_cents"]), r["currency"], r["created_at"], r["succeeded_at"]]
                        for r in rows])


async def refunds(event_id: int) -> ExportTable:
    rows = await Refund.select(*Refund.all_columns(), Refund.order.buyer_name.as_alias("buyer")).where(
        Refund.order.event == event_id).order_by(Refund.id)
    return ExportTable("refunds", "Refunds",
                       ["Refund no.", "Order no.", "Payment no.", "Paid by", "Amount", "Currency", "Kind",
                        "Reason", "Provider reference", "Created (UTC)"],
                       [[r["id"], r["order"], r["payment"], r["buyer"], _units(r["amount_cents"]), r["currency"],
                         r["kind"], r["reason"], r["provider_id"], r["created_at"]] for r in rows])


async def all_tables(event_id: int) -> list[ExportTable]:
    tables = [await registrations(event_id), *await catering(event_id), await accessibility(event_id),
              await signage(event_id), await payments(event_id), await refunds(event_id)]
    for answer in await extension.collect("export_tables", event_id=event_id):
        tables.extend(answer or [])
    return tables


async def tables_for(event_id: int, key: str) -> list[ExportTable]:
    """The table(s) of one download: a single table, or every sheet of a workbook like catering."""
    tables = {t.key: t for t in await all_tables(event_id)}
    keys = WORKBOOKS.get(key, [key])
    if not all(k in tables for k in keys):
        raise NotFound("There is no such export.")
    return [tables[k] for k in keys]

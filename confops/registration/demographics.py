"""Optional, consented demographics, kept where they cannot be traced to a person.

A row holds the event and the answers, nothing else: no attendee, no order, no e-mail, and
the date is coarsened to the first of the month, so neither a join nor the time of an answer
leads back to a registration. The order keeps only how many of its attendees answered
(`Order.demographics_count`, never more than its active attendees), so nobody is asked twice
and nothing individual is ever shown — reports read counts only (`counts`).
"""

from __future__ import annotations

from confops.core import clock
from confops.core.errors import Conflict, FieldError, collect
from confops.db import transaction
from confops.registration.tables import Attendee, AttendeeStatus, Demographics, Order, OrderStatus

CHOICES: dict[str, tuple[str, ...]] = {
    "race_ethnicity": ("American Indian or Alaska Native", "Asian", "Black or African American",
                       "Hispanic or Latino", "Middle Eastern or North African",
                       "Native Hawaiian or Pacific Islander", "White", "More than one", "Another"),
    "gender": ("Woman", "Man", "Non-binary", "Another"),
    "age_band": ("under 30", "30-39", "40-49", "50-59", "60-69", "70 or over"),
    "professional_role": ("Physician", "Resident or fellow", "Student", "Psychologist", "Social worker",
                          "Nurse", "Counselor", "Another"),
}
LABELS = {"race_ethnicity": "Race or ethnicity", "gender": "Gender", "age_band": "Age",
          "professional_role": "Professional role"}
SMALLEST_CELL = 5  # counts below this are reported as "fewer than 5"


async def remaining(order: dict) -> int:
    """How many more answers this order may give (one per active attendee; none once closed,
    as `record` refuses)."""
    if order["status"] in (OrderStatus.cancelled.value, OrderStatus.expired.value):
        return 0
    active = await Attendee.count().where(
        (Attendee.order == order["id"]) & (Attendee.status == AttendeeStatus.active.value))
    return max(0, active - order["demographics_count"])


async def record(order: dict, values: dict[str, str], consent: bool) -> None:
    """Store one attendee's answers (consent required; each answer optional: "" = not said)."""
    problems = []
    if not consent:
        problems.append(FieldError("consent", "Tick the box to agree, or simply leave this page."))
    clean: dict[str, str] = {}
    for name, choices in CHOICES.items():
        value = (values.get(name) or "").strip()
        if value and value not in choices:
            problems.append(FieldError(name, "Choose one of the options."))
        clean[name] = value
    collect(problems)
    if order["status"] in (OrderStatus.cancelled.value, OrderStatus.expired.value):
        raise Conflict("This order is closed.", code="order_closed")
    today = clock.now().date()
    async with transaction():
        # Counted with a conditional UPDATE: never more answers than active attendees.
        active = await Attendee.count().where(
            (Attendee.order == order["id"]) & (Attendee.status == AttendeeStatus.active.value))
        counted = await Order.update({Order.demographics_count: Order.demographics_count + 1}).where(
            (Order.id == order["id"]) & (Order.demographics_count < active)).returning(Order.id)
        if not counted:
            raise Conflict("Every attendee of this order has already answered. Thank you!", code="already_answered")
        await Demographics.insert(Demographics(event=order["event"], recorded_on=today.replace(day=1), **clean))


async def counts(event_id: int) -> dict[str, list[tuple[str, str]]]:
    """Aggregate counts per question for reports: small cells are suppressed."""
    rows = await Demographics.select(*(getattr(Demographics, n) for n in CHOICES)).where(
        Demographics.event == event_id)
    out: dict[str, list[tuple[str, str]]] = {}
    for name, choices in CHOICES.items():
        tally = {c: 0 for c in (*choices, "")}
        for row in rows:
            tally[row[name] if row[name] in tally else ""] += 1
        out[name] = [(c or "Not said", str(n) if n >= SMALLEST_CELL or n == 0 else f"fewer than {SMALLEST_CELL}")
                     for c, n in tally.items()]
    return out

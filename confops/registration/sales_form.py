"""The registration settings of the event setup form: the cancellation policy and the price
phases (pure: no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from confops.core.errors import FieldError
from confops.events.event_form import amount_cents, parse_local, text_problem, whole_number
from confops.registration.tables import CancellationPolicy


@dataclass
class SalesValues:
    values: dict = field(default_factory=dict)
    problems: list[FieldError] = field(default_factory=list)


POLICIES = tuple(p.value for p in CancellationPolicy)
_TIERS = re.compile(r"^\s*\d{1,3}\s*:\s*\d{1,3}\s*(,\s*\d{1,3}\s*:\s*\d{1,3}\s*)*$")


def check_sales_form(form: dict[str, str], *, tz: str, starts: datetime | None, ends: datetime | None) -> SalesValues:
    """The cancellation policy and the price phases: early-bird by date and/or first N, late
    from a date. A phase that ends after the event is refused (it would never end)."""
    out = SalesValues()
    p, v = out.problems, out.values
    get = lambda name: str(form.get(name) or "")  # noqa: E731
    policy = get("cancellation_policy") or "tiered"
    if policy not in POLICIES:
        p.append(FieldError("cancellation_policy", "Choose how cancellations are refunded."))
    v["cancellation_policy"] = policy
    tiers = get("refund_tiers").strip()
    if policy == "tiered":
        if not _TIERS.match(tiers):
            p.append(FieldError("refund_tiers", "Write tiers as days:percent, e.g. 60:80,30:50."))
        elif any(int(part.split(":")[1]) > 100 for part in tiers.split(",")):
            p.append(FieldError("refund_tiers", "A refund cannot be more than 100 %."))
        else:
            tiers = ",".join(part.replace(" ", "") for part in tiers.split(","))
    v["refund_tiers"] = tiers if policy == "tiered" else (tiers if _TIERS.match(tiers or "x") else "")
    v["cancellation_fee_cents"] = amount_cents(get("cancellation_fee"), "cancellation_fee", p)
    early = parse_local(get("early_bird_ends_at"), tz, "early_bird_ends_at", p)
    late = parse_local(get("late_starts_at"), tz, "late_starts_at", p)
    v["early_bird_ends_at"], v["late_starts_at"] = early, late
    v["early_bird_first_n"] = whole_number(get("early_bird_first_n"), "early_bird_first_n", p, minimum=1)
    if early and starts and early > starts:
        p.append(FieldError("early_bird_ends_at", "The early-bird rate must end before the event starts."))
    if late and ends and late > ends:
        p.append(FieldError("late_starts_at", "The late rate must start before the event ends."))
    if early and late and late < early:
        p.append(FieldError("late_starts_at", "The late rate cannot start before the early-bird rate ends."))
    _check_payment_settings(form, p, v)
    return out


MAX_TERM_DAYS = 120
MAX_PRE_EVENT_DAYS = 60  # registration/reminders.py looks this far ahead
_DAYS_LIST = re.compile(r"^\d{1,3}(,\d{1,3}){0,4}$")


def _check_payment_settings(form: dict[str, str], p: list[FieldError], v: dict) -> None:
    """How long an invoice or cheque order holds its places, when unpaid buyers are reminded,
    when confirmed attendees are. A reminder as early as the term itself would never go out
    (the acknowledgement already says the due date), so it is refused rather than kept silent.
    A setting the form did not send keeps its stored value."""
    get = lambda name: str(form.get(name) or "")  # noqa: E731
    term = None
    if "payment_term_days" in form:
        term = whole_number(get("payment_term_days"), "payment_term_days", p, minimum=1, maximum=MAX_TERM_DAYS)
        if term is None and not get("payment_term_days").strip():
            p.append(FieldError("payment_term_days", f"Enter the payment term in days (1 to {MAX_TERM_DAYS})."))
        if term is not None:
            v["payment_term_days"] = term
    if "reminder_days" in form:
        raw = get("reminder_days").replace(" ", "")
        if raw and not _DAYS_LIST.match(raw):
            p.append(FieldError("reminder_days", "Write up to five whole numbers of days separated by commas, "
                                                 "e.g. 7,2 (empty: no reminders)."))
        elif raw:
            days = sorted({int(d) for d in raw.split(",")}, reverse=True)
            if 0 in days:
                p.append(FieldError("reminder_days", "A reminder is at least 1 day before the due date."))
            elif term and days[0] >= term:
                p.append(FieldError("reminder_days", f"A reminder {days[0]} days before the due date would never "
                                                     f"be sent with a {term}-day payment term; use fewer days."))
            raw = ",".join(str(d) for d in days)
        v["reminder_days"] = raw
    if "pre_event_days" in form:
        v["pre_event_days"] = whole_number(get("pre_event_days"), "pre_event_days", p, minimum=0,
                                           maximum=MAX_PRE_EVENT_DAYS) or 0
    if "payment_instructions" in form:
        instructions = get("payment_instructions").strip()
        if msg := text_problem(instructions, 2000, multiline=True):
            p.append(FieldError("payment_instructions", msg))
        v["payment_instructions"] = instructions

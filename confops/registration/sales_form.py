"""The registration settings of the event setup form: the cancellation policy and the price
phases (pure: no database)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from confops.core.errors import FieldError
from confops.events.event_form import amount_cents, parse_local, whole_number
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
    return out

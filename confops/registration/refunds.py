"""How much a cancellation refunds, by the event's policy (pure: shown before confirming).

Tiered: "60:80,30:50" refunds 80 % of what was paid 60 or more whole days before the event
starts, 50 % from 30 to 59 days, nothing closer. Flat fee: what was paid minus the fee.
Rounded down to the cent, so the society never refunds more than the policy says.
"""

from __future__ import annotations

from datetime import datetime

from confops.registration.tables import CancellationPolicy


def parse_tiers(text: str) -> list[tuple[int, int]]:
    """Return [(days, percent)] sorted by days descending; bad parts are ignored."""
    tiers = []
    for part in (text or "").split(","):
        days, _, percent = part.partition(":")
        if days.strip().isdigit() and percent.strip().isdigit():
            tiers.append((int(days), min(100, int(percent))))
    return sorted(tiers, reverse=True)


def refund_cents(paid_cents: int, *, policy: str, tiers: str, fee_cents: int,
                 now: datetime, event_starts_at: datetime) -> int:
    if paid_cents <= 0 or now >= event_starts_at:
        return 0
    if policy == CancellationPolicy.flat_fee.value:
        return max(0, paid_cents - max(0, fee_cents))
    if policy == CancellationPolicy.none.value:
        return 0
    days_before = (event_starts_at - now).days
    for days, percent in parse_tiers(tiers):
        if days_before >= days:
            return paid_cents * percent // 100
    return 0

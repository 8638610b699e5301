"""The event page's price box: each category's price in the phase in force now, when that phase
ends and what comes after, places left and whether registration is open. Read from the same
catalog and phase rule that price the order (catalog.py, pricing.py), so the page never shows a
price the form would not charge."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from confops.core import clock
from confops.core.errors import NotFound
from confops.registration.catalog import load_catalog
from confops.registration.tables import PhaseKind

PHASE_NAME = {PhaseKind.early: "Early-bird prices", PhaseKind.regular: "Regular prices",
              PhaseKind.late: "Late prices"}
_NEXT = {PhaseKind.early: PhaseKind.regular, PhaseKind.regular: PhaseKind.late}


@dataclass(frozen=True)
class Price:
    label: str
    eligibility: str
    cents: int
    later_cents: int | None  # the next phase's price, when it differs
    full: bool


@dataclass(frozen=True)
class PriceBox:
    phase: str
    ends_at: datetime | None  # when this phase's prices end (None: they hold to the close)
    ends_with_places: int | None  # early bird also ends after the first N registrants
    next_phase: str
    prices: list[Price]
    currency: str
    places_left: int | None
    problem: str | None  # why one cannot register now (not open yet, closed, sold out)


def _phase_end(catalog) -> tuple[datetime | None, int | None, PhaseKind | None]:
    sales, phase = catalog.sales, catalog.phase
    if phase is PhaseKind.early:
        first_n = sales["early_bird_first_n"]
        left = None if first_n is None else max(0, first_n - sales["early_claimed"])
        ends = sales["early_bird_ends_at"]
        late = sales["late_starts_at"]
        if ends is None and late is not None:
            ends = late
        return ends, left, PhaseKind.late if ends is not None and ends == late else PhaseKind.regular
    if phase is PhaseKind.regular and sales["late_starts_at"] is not None:
        return sales["late_starts_at"], None, PhaseKind.late
    return None, None, None


async def price_box(slug: str) -> PriceBox | None:
    """None for an event that sells nothing (no categories)."""
    try:
        catalog = await load_catalog(slug, live=True)
    except NotFound:
        return None
    if not catalog.categories:
        return None
    ends_at, first_left, following = _phase_end(catalog)
    if ends_at is not None and ends_at <= clock.now():
        ends_at = None
    phase = catalog.phase.value
    prices = []
    for c in catalog.categories:
        later = c[f"{following.value}_cents"] if following else None
        prices.append(Price(c["label"], c.get("eligibility") or "", c[f"{phase}_cents"],
                            later if later is not None and later != c[f"{phase}_cents"] else None,
                            c.get("left") == 0))
    problem = catalog.window_problem()
    if problem is None and catalog.sold_out:
        problem = "Sold out: join the waitlist and we offer you the next place that frees up."
    return PriceBox(PHASE_NAME[catalog.phase], ends_at, first_left,
                    PHASE_NAME[following].split()[0].lower() if following else "",
                    prices, catalog.event["currency"], catalog.places_left, problem)

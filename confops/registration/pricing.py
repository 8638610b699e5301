"""Pricing without a database: what each attendee pays, and a snapshot of why.

The same function prices the form's review page, the API and the order itself, so the price
shown is the price charged. Rules:
- The phase is early-bird until its date passes OR its first N registrants are sold (whichever
  is configured comes first), late from `late_starts_at`, regular otherwise.
- A code discounts the registration fee of each attendee in a category it is valid for (not
  add-ons). Percent discounts round half up to the cent: 15 % of $640.05 = 9600.75 cents ->
  9601 cents off. Fixed discounts never take a fee below zero; "free" removes the fee.
- The order total is the sum of the attendees' lines; it is never negative.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime

from confops.registration.tables import CodeKind, PhaseKind


@dataclass(frozen=True)
class PhaseRules:
    early_bird_ends_at: datetime | None = None
    early_bird_first_n: int | None = None
    late_starts_at: datetime | None = None


@dataclass(frozen=True)
class CategoryPrice:
    code: str
    label: str
    early_cents: int
    regular_cents: int
    late_cents: int

    def in_phase(self, phase: PhaseKind) -> int:
        return {PhaseKind.early: self.early_cents, PhaseKind.regular: self.regular_cents,
                PhaseKind.late: self.late_cents}[phase]


@dataclass(frozen=True)
class AddOnPrice:
    code: str
    label: str
    price_cents: int


@dataclass(frozen=True)
class CodeTerms:
    code: str
    kind: CodeKind
    percent: int = 0
    amount_cents: int = 0
    categories: frozenset[str] = frozenset()  # empty: every category

    def applies_to(self, category: str) -> bool:
        return not self.categories or category in self.categories


@dataclass(frozen=True)
class AttendeeLine:
    category: str
    category_label: str
    phase: str
    fee_cents: int
    discount_cents: int
    addons: tuple[tuple[str, str, int, int], ...]  # code, label, quantity, cents (all units)
    total_cents: int


@dataclass(frozen=True)
class Quote:
    phase: str
    currency: str
    lines: tuple[AttendeeLine, ...]
    code: str | None
    code_uses: int  # attendees the code discounted: each is one use
    total_cents: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    def snapshot(self) -> dict:
        """What was priced and why, stored on the order."""
        return asdict(self)


def current_phase(rules: PhaseRules, now: datetime, registrants_so_far: int) -> PhaseKind:
    if rules.late_starts_at is not None and now >= rules.late_starts_at:
        return PhaseKind.late
    early_by_date = rules.early_bird_ends_at is not None and now < rules.early_bird_ends_at
    early_by_count = rules.early_bird_first_n is not None and registrants_so_far < rules.early_bird_first_n
    has_early = rules.early_bird_ends_at is not None or rules.early_bird_first_n is not None
    if has_early:
        date_ok = rules.early_bird_ends_at is None or early_by_date
        count_ok = rules.early_bird_first_n is None or early_by_count
        if date_ok and count_ok:
            return PhaseKind.early
    return PhaseKind.regular


def discount_for(fee_cents: int, code: CodeTerms | None, category: str) -> int:
    if code is None or not code.applies_to(category) or fee_cents <= 0:
        return 0
    if code.kind == CodeKind.free:
        return fee_cents
    if code.kind == CodeKind.percent:
        percent = max(0, min(100, code.percent))
        return min(fee_cents, (fee_cents * percent + 50) // 100)
    return min(fee_cents, max(0, code.amount_cents))


def price_attendee(
    category: CategoryPrice,
    phase: PhaseKind,
    addons: list[tuple[AddOnPrice, int]],
    code: CodeTerms | None,
) -> AttendeeLine:
    fee = max(0, category.in_phase(phase))
    discount = discount_for(fee, code, category.code)
    addon_lines = tuple(
        (a.code, a.label, qty, max(0, a.price_cents) * qty) for a, qty in addons if qty > 0
    )
    total = fee - discount + sum(line[3] for line in addon_lines)
    return AttendeeLine(category.code, category.label, phase.value, fee, discount, addon_lines, max(0, total))


def price_order(
    attendees: list[tuple[CategoryPrice, list[tuple[AddOnPrice, int]]]],
    *,
    phase: PhaseKind,
    code: CodeTerms | None,
    currency: str,
) -> Quote:
    lines = tuple(price_attendee(cat, phase, addons, code) for cat, addons in attendees)
    uses = sum(1 for line in lines if line.discount_cents > 0 or (code and code.applies_to(line.category)))
    notes = [f"{phase.value} prices"]
    if code is not None:
        notes.append(f"code {code.code}: {code.kind.value}"
                     + (f" {code.percent}%" if code.kind == CodeKind.percent else "")
                     + (f" {code.amount_cents} cents" if code.kind == CodeKind.fixed else ""))
    return Quote(
        phase=phase.value,
        currency=currency,
        lines=lines,
        code=code.code if code else None,
        code_uses=uses if code else 0,
        total_cents=sum(line.total_cents for line in lines),
        notes=tuple(notes),
    )

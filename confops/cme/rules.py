"""Pure CME rules (no database): 0.25 steps, designation limits, parallel sessions counted once,
presence share, own talks excluded, and what a claim may be. Credit is counted in quarters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation

from confops.core.errors import FieldError


@dataclass(frozen=True)
class SessionCredit:
    id: int
    quarters: int
    starts_at: datetime
    ends_at: datetime
    group: str = ""
    types: frozenset[str] = field(default_factory=frozenset)  # empty: every type of the event

    @property
    def minutes(self) -> int:
        return int((self.ends_at - self.starts_at).total_seconds() // 60)

    def carries(self, credit_type: str | None) -> bool:
        return credit_type in (None, "participation") or not self.types or credit_type in self.types


def parse_credit(text: str) -> int:
    """"3.25" -> 13 quarters; anything that is not a multiple of 0.25 is refused (never rounded up)."""
    try:
        value = Decimal(str(text).strip())
    except InvalidOperation as exc:
        raise ValueError("Enter a number of credits such as 3.25.") from exc
    if not value.is_finite() or value < 0:
        raise ValueError("Enter a number of credits such as 3.25.")
    quarters = value * 4
    if quarters != quarters.to_integral_value():
        raise ValueError("Credit is claimed in steps of 0.25.")
    return int(quarters)


def format_credit(quarters: int) -> str:
    return f"{quarters / 4:.2f}"


def max_quarters_for_minutes(minutes: int) -> int:
    """60 minutes of educational time = 1 credit, so 15 minutes = one quarter (rounded down)."""
    return max(0, minutes) // 15


def designation_problem(quarters: int, minutes: int) -> str | None:
    if quarters < 0:
        return "Credit cannot be negative."
    if quarters > max_quarters_for_minutes(minutes):
        return (f"At most {format_credit(max_quarters_for_minutes(minutes))} credits: "
                f"the session lasts {minutes} minutes.")
    return None


def count_once(sessions: Iterable[SessionCredit], credit_type: str | None = None) -> int:
    """Sum of quarters where each parallel group counts once (its largest session)."""
    best: dict[str, int] = {}
    total = 0
    for s in sessions:
        if not s.carries(credit_type) or s.quarters <= 0:
            continue
        if s.group:
            best[s.group] = max(best.get(s.group, 0), s.quarters)
        else:
            total += s.quarters
    return total + sum(best.values())


def derived_maximum(sessions: Iterable[SessionCredit], credit_type: str | None = None) -> int:
    return count_once(sessions, credit_type)


def eligible_quarters(sessions: Iterable[SessionCredit], attended: set[int], presented: set[int],
                      maximum: int, credit_type: str | None = None) -> int:
    """Designated credit of the sessions attended, parallel groups once, own talks excluded,
    never above the activity's maximum."""
    counted = [s for s in sessions if s.id in attended and s.id not in presented]
    return min(count_once(counted, credit_type), max(0, maximum))


def claim_problems(requested: int, eligible: int, *, attested: bool, deadline: datetime | None,
                   now: datetime, evaluation_required: bool, evaluated: bool) -> list[FieldError]:
    problems: list[FieldError] = []
    if deadline is not None and now > deadline:
        problems.append(FieldError("credit", "The claim deadline for this activity has passed."))
    if requested <= 0:
        problems.append(FieldError("credit", "Claim at least 0.25 credits."))
    elif requested > eligible:
        problems.append(FieldError("credit", f"You may claim at most {format_credit(eligible)} credits."))
    if not attested:
        problems.append(FieldError("attest", "Confirm that you claim only the credit commensurate with your "
                                             "participation."))
    if evaluation_required and not evaluated:
        problems.append(FieldError("evaluation", "Complete the evaluation before claiming credit."))
    return problems

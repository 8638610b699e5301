"""Pure CME rules (no database): 0.25 steps, designation limits, parallel sessions counted once,
presence share, own talks excluded, and what a claim may be. Credit is counted in quarters."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
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


SCAN_EARLY_MINUTES = 15  # how long before a session's start a scan into it still counts (the default)
SCAN_EARLY_MOST = 120  # the setting's upper bound: an earlier scan is someone passing by, not attending


def in_window(at: datetime, starts_at: datetime, ends_at: datetime, early_minutes: int) -> bool:
    """Evidence counts for a session only if taken from a little before its start (the event's
    setting, `early_minutes`) to its end: a scan months early, or after the session, is kept but
    proves nothing about the session."""
    return starts_at - timedelta(minutes=early_minutes) <= at <= ends_at


def parse_scan_window(text: str) -> int:
    """The scan window setting as typed: whole minutes from 0 to SCAN_EARLY_MOST (ASCII digits
    only: int() would take other scripts' digits and signs)."""
    text = str(text).strip()
    if not re.fullmatch(r"[0-9]{1,4}", text) or int(text) > SCAN_EARLY_MOST:
        raise ValueError(f"A whole number of minutes from 0 to {SCAN_EARLY_MOST}.")
    return int(text)


def _one_per_label(sessions: list[SessionCredit]) -> list[SessionCredit]:
    """A typed group label merges sessions (a workshop given twice counts once: its largest);
    it can never split sessions the schedule shows overlapping."""
    best: dict[str, SessionCredit] = {}
    out = []
    for s in sessions:
        if not s.group:
            out.append(s)
        elif s.group not in best or (s.quarters, -s.starts_at.timestamp()) > (best[s.group].quarters,
                                                                             -best[s.group].starts_at.timestamp()):
            best[s.group] = s
    return out + list(best.values())


def count_once(sessions: Iterable[SessionCredit], credit_type: str | None = None) -> int:
    """Credit of the union of the sessions' times: sessions that overlap form one stretch of time,
    which gives at most 1 credit an hour (in quarters, rounded down) and never more than the
    credit designated for its sessions together. So parallel sessions count once whatever
    labels staff typed, and nobody is offered more credit than the minutes they could spend."""
    carrying = sorted((s for s in _one_per_label([s for s in sessions if s.carries(credit_type) and s.quarters > 0])),
                      key=lambda s: (s.starts_at, s.ends_at))
    total = 0
    start = end = None
    designated = 0
    for s in carrying:
        if end is not None and s.starts_at < end:  # overlaps the stretch so far
            end = max(end, s.ends_at)
            designated += s.quarters
            continue
        if end is not None:
            total += min(designated, max_quarters_for_minutes(int((end - start).total_seconds() // 60)))
        start, end, designated = s.starts_at, s.ends_at, s.quarters
    if end is not None:
        total += min(designated, max_quarters_for_minutes(int((end - start).total_seconds() // 60)))
    return total


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

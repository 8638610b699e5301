"""Progress of a Balint leader in training toward the society's credentialing requirements.

Pure: the caller passes plain records gathered across events (intensives attended, group
meetings led or co-led, supervision sessions) and the date to judge at; the answer says per
requirement whether it is met, the numbers, and what is still missing in plain words, for the
person's own page and for staff.

The requirements are a setting of the society (`Requirements`); `ABS` is the American Balint
Society's: three intensives including a final evaluative one, two years of leading at least
once a month, supervision at least six times in each of those years. How they are read:

- Intensives: an evaluative intensive counts as the *final* one only if at least two (N - 1)
  intensives were attended on earlier dates; one attended earlier counts as an ordinary one.
- Leading: calendar months in which the person led or co-led at least `leading_per_month`
  group meetings; the months must be consecutive (one empty month starts the count again).
- Supervision: counted per year of the leading run (months 1-12, 13-24 from its first month);
  each year needs `supervision_per_year` sessions. Before any leading, years count from the
  first supervision session.
Records dated after `as_of` are ignored (a planned session is not yet done).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Requirements:
    intensives: int = 3
    final_evaluative: bool = True
    leading_months: int = 24
    leading_per_month: int = 1
    supervision_per_year: int = 6


ABS = Requirements()


@dataclass(frozen=True)
class IntensiveAttended:
    on: date
    evaluative: bool = False
    title: str = ""


@dataclass(frozen=True)
class GroupLed:
    on: date
    title: str = ""


@dataclass(frozen=True)
class SupervisionSession:
    on: date
    supervisor: str = ""


@dataclass(frozen=True)
class RequirementProgress:
    key: str  # "intensives" | "leading" | "supervision"
    title: str
    met: bool
    done: int
    needed: int
    summary: str
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Progress:
    as_of: date
    requirements: tuple[RequirementProgress, ...]

    @property
    def met(self) -> bool:
        return all(r.met for r in self.requirements)

    def get(self, key: str) -> RequirementProgress:
        return next(r for r in self.requirements if r.key == key)


def _month_index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _month_name(i: int) -> str:
    return date(i // 12, i % 12 + 1, 1).strftime("%b %Y")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def intensives_progress(records: Sequence[IntensiveAttended], as_of: date,
                        rules: Requirements = ABS) -> RequirementProgress:
    n = rules.intensives
    past = sorted((r for r in records if r.on <= as_of), key=lambda r: r.on)
    title = f"{n} intensives" + (", the final one evaluative" if rules.final_evaluative else "")
    if not rules.final_evaluative:
        done = min(len(past), n)
        missing = () if done >= n else (f"Attend {_plural(n - done, 'more intensive')}.",)
        return RequirementProgress("intensives", title, done >= n, done, n,
                                   f"{len(past)} of {n} intensives attended.", missing)
    final = None
    early: list[str] = []
    for r in past:
        if not r.evaluative:
            continue
        before = sum(1 for x in past if x.on < r.on)
        if before >= n - 1:
            final = r
            break
        early.append(f"The evaluative intensive on {r.on.isoformat()} came after only "
                     f"{_plural(before, 'intensive')} ({n - 1} needed before it), so it counts as "
                     "an ordinary one.")
    if final is not None:
        return RequirementProgress("intensives", title, True, n, n,
                                   f"Met: final evaluative intensive on {final.on.isoformat()} "
                                   f"after {_plural(n - 1, 'earlier intensive')}.")
    done = min(len(past), n - 1)
    more = n - 1 - len(past)
    step = (f"Attend {_plural(more, 'more intensive')}, then a final evaluative intensive."
            if more > 0 else "Attend a final evaluative intensive.")
    return RequirementProgress("intensives", title, False, done, n,
                               f"{len(past)} intensives attended; no final evaluative one yet.",
                               (*early, step))


def _runs(months: set[int]) -> list[tuple[int, int]]:
    """Maximal runs of consecutive months as (first, last), oldest first."""
    runs: list[tuple[int, int]] = []
    for m in sorted(months):
        if runs and runs[-1][1] == m - 1:
            runs[-1] = (runs[-1][0], m)
        else:
            runs.append((m, m))
    return runs


def _leading_runs(led: Sequence[GroupLed], as_of: date, rules: Requirements) -> list[tuple[int, int]]:
    per_month = Counter(_month_index(g.on) for g in led if g.on <= as_of)
    return _runs({m for m, c in per_month.items() if c >= rules.leading_per_month})


def _counted_run(runs: list[tuple[int, int]], as_of: date, rules: Requirements):
    """The run the requirements are judged on: the latest complete one, else the one still going."""
    need = rules.leading_months
    complete = [r for r in runs if r[1] - r[0] + 1 >= need]
    if complete:
        return complete[-1], True
    now = _month_index(as_of)
    alive = [r for r in runs if r[1] >= now - 1]  # this month may simply not have come yet
    return (alive[-1] if alive else None), False


def leading_progress(led: Sequence[GroupLed], as_of: date,
                     rules: Requirements = ABS) -> RequirementProgress:
    need = rules.leading_months
    runs = _leading_runs(led, as_of, rules)
    run, complete = _counted_run(runs, as_of, rules)
    often = ("at least once a month" if rules.leading_per_month == 1
             else f"at least {rules.leading_per_month} times a month")
    title = f"{need} consecutive months leading groups {often}"
    if complete:
        return RequirementProgress("leading", title, True, need, need,
                                   f"Met: led {often} from {_month_name(run[0])} to "
                                   f"{_month_name(run[1])}.")
    longest = max((r[1] - r[0] + 1 for r in runs), default=0)
    if run is not None:
        current = run[1] - run[0] + 1
        return RequirementProgress(
            "leading", title, False, current, need,
            f"{current} of {need} consecutive months so far (since {_month_name(run[0])}).",
            (f"Keep leading {often} for {_plural(need - current, 'more month')}.",))
    if not runs:
        return RequirementProgress("leading", title, False, 0, need, "No groups led yet.",
                                   (f"Lead or co-lead groups {often} for {need} consecutive months.",))
    last = runs[-1]
    return RequirementProgress(
        "leading", title, False, 0, need,
        f"Not leading at the moment; the last run ended in {_month_name(last[1])} "
        f"(longest run: {_plural(longest, 'month')}).",
        (f"Start again: lead {often} for {need} consecutive months "
         "(a month without a group starts the count again).",))


def supervision_progress(sessions: Sequence[SupervisionSession], led: Sequence[GroupLed],
                         as_of: date, rules: Requirements = ABS) -> RequirementProgress:
    years = max(1, rules.leading_months // 12)
    per_year = rules.supervision_per_year
    need = years * per_year
    title = f"Supervision at least {per_year} times in each year of leading"
    past = [s for s in sessions if s.on <= as_of]
    runs = _leading_runs(led, as_of, rules)
    run, _ = _counted_run(runs, as_of, rules)
    if run is not None:
        start = run[0]
    elif past:
        start = min(_month_index(s.on) for s in past)
    else:
        return RequirementProgress("supervision", title, False, 0, need,
                                   "No supervision sessions yet.",
                                   (f"Have supervision at least {per_year} times in each of your "
                                    f"{_plural(years, 'year')} of leading.",))
    done, missing, parts = 0, [], []
    for y in range(years):
        first, last = start + 12 * y, start + 12 * y + 11
        count = sum(1 for s in past if first <= _month_index(s.on) <= last)
        done += min(count, per_year)
        span = f"{_month_name(first)}–{_month_name(last)}"
        parts.append(f"year {y + 1} ({span}): {count} of {per_year}")
        if count < per_year:
            missing.append(f"Year {y + 1} of leading ({span}): "
                           f"{_plural(per_year - count, 'more supervision session')} needed.")
    return RequirementProgress("supervision", title, not missing, done, need,
                               "Supervision " + "; ".join(parts) + ".", tuple(missing))


def progress(intensives: Sequence[IntensiveAttended], groups_led: Sequence[GroupLed],
             supervision: Sequence[SupervisionSession], as_of: date,
             rules: Requirements = ABS) -> Progress:
    """Where a leader in training stands on every requirement on `as_of`."""
    return Progress(as_of, (
        intensives_progress(intensives, as_of, rules),
        leading_progress(groups_led, as_of, rules),
        supervision_progress(supervision, groups_led, as_of, rules),
    ))

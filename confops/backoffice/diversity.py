"""The diversity and inclusion report: counts of consented self-identification, never people.

Demographics rows carry only the event (registration stores them apart from attendees), so
nothing here can lead back to a person. Small numbers could still identify someone ("the one
person aged 65+ at the intensive"), so every cell under 5 is suppressed, and when a table
shows its total, a second cell is suppressed too (complementary suppression) so that the
total minus the shown cells can't reveal the hidden one. A table whose total is under 5 shows
nothing at all.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from confops.events.tables import Event
from confops.registration.tables import Demographics

THRESHOLD = 5
DIMENSIONS = [("professional_role", "Professional role"), ("gender", "Gender"),
              ("race_ethnicity", "Race / ethnicity"), ("age_band", "Age")]
NOT_GIVEN = "Prefer not to say / not given"


@dataclass(frozen=True)
class Cell:
    label: str
    count: int | None   # None = suppressed

    @property
    def shown(self) -> str:
        return "<5 (suppressed)" if self.count is None else str(self.count)


@dataclass(frozen=True)
class CountTable:
    title: str
    cells: list[Cell]
    total: int | None   # None = suppressed (fewer than THRESHOLD answers)

    @property
    def suppressed(self) -> int:
        return sum(1 for c in self.cells if c.count is None)


def suppress(title: str, counts: dict[str, int], threshold: int = THRESHOLD) -> CountTable:
    """Primary suppression of cells in 1..threshold-1, then complementary suppression."""
    total = sum(counts.values())
    if total < threshold:
        return CountTable(title, [Cell(k, None) for k in sorted(counts)], None)
    ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    hidden = {k for k, n in ordered if 0 < n < threshold}
    if len(hidden) == 1:
        # One hidden cell = total − the others: hide the smallest other non-zero cell as well.
        others = [(n, k) for k, n in ordered if k not in hidden and n > 0]
        if others:
            hidden.add(min(others)[1])
    return CountTable(title, [Cell(k, None if k in hidden else n) for k, n in ordered], total)


async def _rows(event_ids: list[int]) -> list[dict]:
    if not event_ids:
        return []
    return await Demographics.select(Demographics.event, *[getattr(Demographics, d) for d, _ in DIMENSIONS]).where(
        Demographics.event.is_in(event_ids))


def _tables(rows: list[dict]) -> list[CountTable]:
    return [suppress(title, dict(Counter((r[dim] or "").strip() or NOT_GIVEN for r in rows)))
            for dim, title in DIMENSIONS]


async def event_report(event_id: int) -> list[CountTable]:
    return _tables(await _rows([event_id]))


async def organizer_report(organizer_id: int) -> dict:
    """Across every event of the organizer: the pooled tables, and answers per event (suppressed too)."""
    events = await Event.select(Event.id, Event.title).where(Event.organizer == organizer_id).order_by(
        Event.starts_at)
    rows = await _rows([e["id"] for e in events])
    per_event = Counter(r["event"] for r in rows)
    titles = {e["id"]: e["title"] for e in events}
    answered = suppress("Answers per event", {titles[e]: n for e, n in per_event.items()})
    return {"tables": _tables(rows), "per_event": answered}

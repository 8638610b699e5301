"""The agenda as people read it: by day, then by time slot, parallel sessions side by side.

Pure: takes sessions and the event's timezone, so it is tested without a database.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from confops.core.clock import local
from confops.events.schemas import SessionOut


@dataclass
class Slot:
    starts_at: datetime  # local to the event
    ends_at: datetime
    sessions: list[SessionOut] = field(default_factory=list)

    @property
    def parallel(self) -> bool:
        return len(self.sessions) > 1


@dataclass
class Day:
    day: date
    slots: list[Slot] = field(default_factory=list)


def build_agenda(sessions: list[SessionOut], tz_name: str, room_order: list[str] | None = None) -> list[Day]:
    order = {name: i for i, name in enumerate(room_order or [])}
    days: dict[date, dict[tuple[datetime, datetime], Slot]] = {}
    for session in sorted(sessions, key=lambda s: (s.starts_at, s.ends_at, s.id)):
        start, end = local(session.starts_at, tz_name), local(session.ends_at, tz_name)
        slots = days.setdefault(start.date(), {})
        slot = slots.setdefault((start, end), Slot(start, end))
        slot.sessions.append(session)
    result = []
    for day in sorted(days):
        slots = sorted(days[day].values(), key=lambda s: (s.starts_at, s.ends_at))
        for slot in slots:
            slot.sessions.sort(key=lambda s: (order.get(s.room or "", len(order)), s.room or "", s.code))
        result.append(Day(day, slots))
    return result

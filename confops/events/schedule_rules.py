"""Schedule conflicts, as a pure function: which fields of a planned session clash with the
rest of the program. Pure so every rule is tested without a database."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from confops.core.errors import FieldError


@dataclass(frozen=True)
class Planned:
    id: int | None
    title: str
    starts_at: datetime
    ends_at: datetime
    room_id: int | None
    speaker_ids: frozenset[int]
    capacity: int | None = None


def overlaps(a: Planned, b: Planned) -> bool:
    return a.starts_at < b.ends_at and b.starts_at < a.ends_at


def conflicts(
    planned: Planned,
    others: list[Planned],
    *,
    event_start: datetime,
    event_end: datetime,
    room_capacity: int | None,
    speaker_names: dict[int, str],
) -> list[FieldError]:
    problems: list[FieldError] = []
    if planned.ends_at <= planned.starts_at:
        problems.append(FieldError("ends_at", "The session must end after it starts."))
        return problems
    if planned.starts_at < event_start or planned.ends_at > event_end:
        problems.append(FieldError("starts_at", "The session is outside the event's dates and times."))
    if planned.capacity is not None and room_capacity is not None and planned.capacity > room_capacity:
        problems.append(FieldError(
            "capacity", f"The session's capacity ({planned.capacity}) is over the room's capacity ({room_capacity})."))
    for other in others:
        if other.id == planned.id or not overlaps(planned, other):
            continue
        if planned.room_id is not None and other.room_id == planned.room_id:
            problems.append(FieldError("room", f"The room is already booked for “{other.title}” at that time."))
        for sid in sorted(planned.speaker_ids & other.speaker_ids):
            name = speaker_names.get(sid, f"Speaker {sid}")
            problems.append(FieldError("speakers", f"{name} is double-booked: also in “{other.title}” at that time."))
    return problems

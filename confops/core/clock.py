"""The one source of "now", timezone-aware and in UTC, so tests can move time."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else datetime.now(UTC)


@contextlib.contextmanager
def frozen_at(moment: datetime) -> Iterator[None]:
    global _frozen
    if moment.tzinfo is None:
        raise ValueError("frozen_at needs an aware datetime")
    previous, _frozen = _frozen, moment.astimezone(UTC)
    try:
        yield
    finally:
        _frozen = previous


def advance(delta: timedelta) -> None:
    """Move frozen time forward (only inside frozen_at)."""
    global _frozen
    if _frozen is None:
        raise RuntimeError("advance() needs frozen_at()")
    _frozen = _frozen + delta


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown timezone {name!r}") from exc


def local(moment: datetime, tz_name: str) -> datetime:
    return moment.astimezone(zone(tz_name))


def local_day_bounds(moment: datetime, tz_name: str) -> tuple[datetime, datetime]:
    """The start of the local day holding `moment` and of the next one, in that timezone (a
    day is 23 or 25 hours long when the clocks change)."""
    tz = zone(tz_name)
    day = moment.astimezone(tz).date()
    return (datetime.combine(day, time.min, tzinfo=tz).astimezone(UTC),
            datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC))


def days_later_same_wall_time(moment: datetime | None, days: int, tz_name: str) -> datetime | None:
    """The same wall-clock time `days` later in that timezone (not 24-hour steps, so a 9 am
    session stays at 9 am across a clock change)."""
    if moment is None:
        return None
    wall = moment.astimezone(zone(tz_name)).replace(tzinfo=None) + timedelta(days=days)
    return wall.replace(tzinfo=zone(tz_name)).astimezone(UTC)


def same_wall_time_in(moment: datetime | None, old_tz: str, new_tz: str) -> datetime | None:
    """The instant that reads in `new_tz` as `moment` read in `old_tz` (9:00 stays 9:00)."""
    if moment is None:
        return None
    return moment.astimezone(zone(old_tz)).replace(tzinfo=None).replace(tzinfo=zone(new_tz)).astimezone(UTC)

"""How much of a session a learner was in the room for, from scans in and (where used) out.

Only scans inside the session's window count (cme/rules.py in_window). An early scan (inside
the window) counts from the session's start, a late one from the scan; an "in" with no "out"
lasts until the session ends or the learner is scanned into another session, whichever comes
first: being scanned elsewhere shows they left."""

from __future__ import annotations

from datetime import datetime


def presence_share(intervals: list[tuple[datetime, datetime | None]], start: datetime, end: datetime) -> float:
    """Share of the session covered by in/out intervals (an open interval: see close_open)."""
    length = (end - start).total_seconds()
    if length <= 0:
        return 1.0 if intervals else 0.0
    covered: list[tuple[float, float]] = []
    for came, left in intervals:
        a = max(came, start).timestamp()
        b = min(left or end, end).timestamp()
        if b > a:
            covered.append((a, b))
    covered.sort()
    total, cur_a, cur_b = 0.0, None, None
    for a, b in covered:
        if cur_b is None or a > cur_b:
            if cur_b is not None:
                total += cur_b - cur_a
            cur_a, cur_b = a, b
        else:
            cur_b = max(cur_b, b)
    if cur_b is not None:
        total += cur_b - cur_a
    return total / length


def pair_scans(scans: list[tuple[str, datetime]]) -> list[tuple[datetime, datetime | None]]:
    """In/out scans in time order -> intervals; an "out" without an "in" is ignored."""
    intervals: list[tuple[datetime, datetime | None]] = []
    open_at: datetime | None = None
    for direction, at in sorted(scans, key=lambda s: s[1]):
        if direction == "in":
            if open_at is None:
                open_at = at
        elif direction == "out" and open_at is not None:
            intervals.append((open_at, at))
            open_at = None
    if open_at is not None:
        intervals.append((open_at, None))
    return intervals


def close_open(intervals: list[tuple[datetime, datetime | None]], end: datetime,
               elsewhere: list[datetime]) -> list[tuple[datetime, datetime]]:
    """Give each "in" without "out" its end: the session's end, or the learner's next scan into
    another session if that comes first."""
    out = []
    for came, left in intervals:
        if left is None:
            left = min([end, *(t for t in elsewhere if t > came)])
        out.append((came, left))
    return out

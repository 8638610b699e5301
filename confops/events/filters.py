"""Agenda filters (day, track, room) for the public event page. Pure."""

from __future__ import annotations

from datetime import date

from confops.core.clock import local
from confops.events.schemas import SessionOut


def days_of(sessions: list[SessionOut], tz: str) -> list[date]:
    return sorted({local(s.starts_at, tz).date() for s in sessions})


def apply(sessions: list[SessionOut], tz: str, *, day: str | None, track: str | None,
          room: str | None) -> list[SessionOut]:
    out = sessions
    if day:
        out = [s for s in out if local(s.starts_at, tz).date().isoformat() == day]
    if track:
        out = [s for s in out if s.track == track]
    if room:
        out = [s for s in out if s.room == room]
    return out

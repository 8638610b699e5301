"""An iCalendar (RFC 5545) event for the confirmation e-mail, written with the program's
calendar writer's escaping and line folding (events/calendar.py)."""

from __future__ import annotations

from datetime import datetime

from confops.events.calendar import escape_text, fold, utc


def event_ics(*, uid: str, title: str, starts_at: datetime, ends_at: datetime, location: str,
              description: str, url: str, now: datetime) -> bytes:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//confops//registration//EN", "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{utc(now)}",
        f"DTSTART:{utc(starts_at)}",
        f"DTEND:{utc(ends_at)}",
        f"SUMMARY:{escape_text(title)}",
        f"LOCATION:{escape_text(location)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{url}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()

"""An iCalendar (RFC 5545) event for the confirmation e-mail, written by hand.

Text values escape backslash, semicolon, comma and newlines (§3.3.11); lines longer than 75
octets are folded with CRLF + space (§3.1) without splitting a UTF-8 character.
"""

from __future__ import annotations

from datetime import UTC, datetime


def escape_text(value: str) -> str:
    return (value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def fold(line: str) -> str:
    out, current, size = [], "", 0
    limit = 75
    for ch in line:
        width = len(ch.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = ch, width, 74  # continuation lines start with one space
        else:
            current += ch
            size += width
    out.append(current)
    return "\r\n ".join(out)


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def event_ics(*, uid: str, title: str, starts_at: datetime, ends_at: datetime, location: str,
              description: str, url: str, now: datetime) -> bytes:
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//confops//registration//EN", "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{uid}",
        f"DTSTAMP:{_stamp(now)}",
        f"DTSTART:{_stamp(starts_at)}",
        f"DTEND:{_stamp(ends_at)}",
        f"SUMMARY:{escape_text(title)}",
        f"LOCATION:{escape_text(location)}",
        f"DESCRIPTION:{escape_text(description)}",
        f"URL:{url}",
        "END:VEVENT", "END:VCALENDAR",
    ]
    return ("\r\n".join(fold(line) for line in lines) + "\r\n").encode()


def unfold_and_parse(data: bytes) -> dict[str, str]:
    """Read back the VEVENT properties (used by tests and to check what we send)."""
    text = data.decode().replace("\r\n ", "").replace("\r\n\t", "")
    props: dict[str, str] = {}
    for line in text.split("\r\n"):
        if ":" in line:
            name, _, value = line.partition(":")
            value = (value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\"))
            props.setdefault(name.split(";")[0], value)
    return props

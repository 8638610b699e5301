"""Attendance, as pure functions: reading a meeting service's attendance export, and whether
someone met the event's threshold ("6 of 8 sessions")."""

from __future__ import annotations

import csv
import io
import re

from confops.core import serials
from confops.core.errors import Invalid

MAX_BYTES = 2_000_000
MAX_ROWS = 5_000


def new_serial() -> str:
    """Like the CME serials: the public verify page cannot be enumerated."""
    return serials.new("ATT")


def normalize_serial(raw: str) -> str | None:
    return serials.normalize(raw, "ATT")


def _column(headers: list[str], *words: str) -> int | None:
    for i, h in enumerate(headers):
        low = h.strip().lower()
        if any(w in low for w in words):
            return i
    return None


def parse_attendance_csv(data: bytes) -> list[dict]:
    """Rows {email, name, minutes} from a meeting service's export (Zoom, Teams, Meet: a header
    row naming an e-mail column and a duration in minutes; a person who rejoined appears on
    several rows, added up). Refuses what it cannot read, saying why."""
    if len(data) > MAX_BYTES:
        raise Invalid("The file is larger than 2 MB.", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        try:
            text = data.decode("cp1252")
        except UnicodeDecodeError:
            raise Invalid("The file is not a text CSV file.", field="file") from None
    rows = list(csv.reader(io.StringIO(text)))
    header_at = next((i for i, r in enumerate(rows[:20]) if _column(r, "email", "e-mail") is not None), None)
    if header_at is None:
        raise Invalid("No column of e-mail addresses was found (export the participants list as CSV).",
                      field="file")
    headers = rows[header_at]
    email_col = _column(headers, "email", "e-mail")
    minutes_col = _column(headers, "minute", "duration")
    name_col = _column(headers, "name")
    if minutes_col is None:
        raise Invalid("No column of minutes attended was found.", field="file")
    people: dict[str, dict] = {}
    for r in rows[header_at + 1:header_at + 1 + MAX_ROWS]:
        if len(r) <= max(email_col, minutes_col):
            continue
        email = r[email_col].strip().lower()
        raw = r[minutes_col].strip()
        minutes = int(float(raw)) if re.fullmatch(r"\d{1,4}(\.\d+)?", raw) else 0
        name = r[name_col].strip()[:200] if name_col is not None and len(r) > name_col else ""
        key = email or f"name:{name.lower()}"
        if key == "name:":
            continue
        entry = people.setdefault(key, {"email": email[:254], "name": name, "minutes": 0})
        entry["minutes"] += minutes
    return list(people.values())


def meets_threshold(attended: int, required: int | None, total: int) -> bool:
    """`required` of the sessions (all of them when not set); nobody meets an event with none."""
    if total == 0:
        return False
    return attended >= (required if required is not None else total)

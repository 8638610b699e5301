"""What staff type into the event setup form, checked field by field (pure: no database).

Times are typed as local wall-clock times ("2027-05-06T14:30") in the event's own timezone,
the one chosen on the same form, and stored as aware UTC instants. Every problem is collected
so the form shows each message next to its field at once.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from zoneinfo import available_timezones

from confops.core.clock import local, zone
from confops.core.errors import FieldError
from confops.events.kinds import EventKind

SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{2,79}$")
CURRENCY = re.compile(r"^[A-Z]{3}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")
LOCAL_FORMAT = "%Y-%m-%dT%H:%M"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_problem(value: str, max_len: int, *, required: bool = False, multiline: bool = False) -> str | None:
    if required and not value.strip():
        return "This is required."
    if len(value) > max_len:
        return f"Use at most {max_len:,} characters."
    if _CONTROL.search(value) or (not multiline and ("\n" in value or "\r" in value)):
        return "Remove control characters."
    if any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        return "Remove control characters."
    return None


def slug_from(title: str) -> str:
    ascii_title = unicodedata.normalize("NFKD", title).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_title.lower()).strip("-")[:80]


def local_text(moment: datetime | None, tz: str) -> str:
    """An instant as the form shows it: local wall-clock time in the event's timezone."""
    return local(moment, tz).strftime(LOCAL_FORMAT) if moment else ""


def parse_local(raw: str, tz: str, name: str, problems: list[FieldError], *,
                required: bool = False) -> datetime | None:
    raw = (raw or "").strip()
    if not raw:
        if required:
            problems.append(FieldError(name, "Enter a date and time."))
        return None
    try:
        naive = datetime.fromisoformat(raw)
    except ValueError:
        problems.append(FieldError(name, "Enter a date and time like 2027-05-06T14:30."))
        return None
    if not 2000 <= naive.year <= 2100:
        problems.append(FieldError(name, "Enter a year between 2000 and 2100."))
        return None
    if naive.tzinfo is not None:
        return naive
    try:
        return naive.replace(tzinfo=zone(tz))
    except ValueError:  # the timezone itself is reported on its own field
        return None


def whole_number(raw: str, name: str, problems: list[FieldError], *, minimum: int = 0,
                 maximum: int = 1_000_000) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not raw.isdigit() or not minimum <= int(raw) <= maximum:
        problems.append(FieldError(name, f"Enter a whole number from {minimum} to {maximum:,}, or leave it empty."))
        return None
    return int(raw)


_AMOUNT = re.compile(r"^\d{1,6}(\.\d{1,2})?$")


def amount_cents(raw: str, name: str, problems: list[FieldError]) -> int:
    """"875" or "875.50" -> cents; empty is 0."""
    raw = (raw or "").strip().replace(",", "")
    if not raw:
        return 0
    if not _AMOUNT.match(raw):
        problems.append(FieldError(name, "Enter an amount like 875 or 875.50."))
        return 0
    units, _, frac = raw.partition(".")
    return int(units) * 100 + int((frac + "00")[:2])


@dataclass
class EventValues:
    """The event row's columns as checked (only those the form sets)."""

    values: dict = field(default_factory=dict)
    problems: list[FieldError] = field(default_factory=list)


def check_event_form(form: dict[str, str], *, new: bool) -> EventValues:
    """Every event field of the form, checked; times in the form's own timezone."""
    out = EventValues()
    p, v = out.problems, out.values
    get = lambda name: str(form.get(name) or "")  # noqa: E731 - local shorthand

    title = get("title").strip()
    if msg := text_problem(title, 200, required=True):
        p.append(FieldError("title", msg))
    v["title"] = title
    if new:
        slug = get("slug").strip().lower() or slug_from(title)
        if not SLUG.match(slug):
            p.append(FieldError("slug", "Use 3–80 lower-case letters, digits and hyphens (it is the event's web address)."))
        v["slug"] = slug
    kind = get("kind")
    if kind not in {k.value for k in EventKind}:
        p.append(FieldError("kind", "Choose the kind of event."))
    v["kind"] = kind
    for name, limit, multiline in (("summary", 500, False), ("description", 20_000, True),
                                   ("venue_name", 200, False), ("venue_address", 500, True),
                                   ("city", 100, False), ("region", 100, False)):
        value = get(name).strip()
        if msg := text_problem(value, limit, multiline=multiline):
            p.append(FieldError(name, msg))
        v[name] = value
    tz = get("timezone").strip()
    if tz not in available_timezones():
        p.append(FieldError("timezone", "Choose a timezone such as America/New_York."))
        tz_ok = False
    else:
        tz_ok = True
    v["timezone"] = tz
    country = get("country").strip().upper() or "US"
    if not COUNTRY.match(country):
        p.append(FieldError("country", "Use the two-letter country code, e.g. US."))
    v["country"] = country
    currency = get("currency").strip().upper() or "USD"
    if not CURRENCY.match(currency):
        p.append(FieldError("currency", "Use the three-letter currency code, e.g. USD."))
    v["currency"] = currency
    v["online"] = get("online") in ("1", "on", "true")
    if not v["online"] and not v["venue_name"]:
        p.append(FieldError("venue_name", "Name the venue, or tick “online”."))
    v["capacity"] = whole_number(get("capacity"), "capacity", p, minimum=1)
    if tz_ok:
        starts = parse_local(get("starts_at"), tz, "starts_at", p, required=True)
        ends = parse_local(get("ends_at"), tz, "ends_at", p, required=True)
        opens = parse_local(get("registration_opens_at"), tz, "registration_opens_at", p)
        closes = parse_local(get("registration_closes_at"), tz, "registration_closes_at", p)
        deadline = parse_local(get("edit_deadline"), tz, "edit_deadline", p)
        if starts and ends and ends <= starts:
            p.append(FieldError("ends_at", "The event must end after it starts."))
        if opens and closes and closes <= opens:
            p.append(FieldError("registration_closes_at", "Registration must close after it opens."))
        if closes and ends and closes > ends:
            p.append(FieldError("registration_closes_at", "Registration must close before the event ends."))
        if deadline and ends and deadline > ends:
            p.append(FieldError("edit_deadline", "The deadline for changes must be before the event ends."))
        v.update(starts_at=starts, ends_at=ends, registration_opens_at=opens, registration_closes_at=closes,
                 edit_deadline=deadline)
    return out

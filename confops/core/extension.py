"""How one area of confops reaches into another without importing it.

Areas land independently (check-in, badges, groups, CME, back office), yet they feed each
other: a session scan is CME attendance evidence, a small-group assignment prints on the badge
back, the dashboard shows check-ins and CME claims, every staff change goes to the audit log.
Instead of importing each other, an area *emits* a named event or *collects* answers from
whoever provides them. Providers live in a module named ``listeners`` inside their area
package (``confops/<area>/listeners.py``) and register with ``@provides("name")``; those
modules are imported on first use, so a worker, a CLI command and the web app all see the same
providers.

Providers run in the caller's task, so inside the caller's transaction when there is one:
an accepted scan and the CME evidence it creates commit or roll back together.

Many events of one name can go at once (`emit_many`: the scans a door writes together); a
provider that can take them in one go registers that form too (`@many_of(provider)`, given
the list of payloads), the others are called once per payload.

The names, and what they carry (keyword arguments in, return value out):

emit (return values ignored):
  "session_scan_accepted"  attendee_id, session_id, direction ("in"|"out"), scanned_at, list_id
  "entry_scan_accepted"    attendee_id, event_id, scanned_at, list_id, and event (a dict with the
                           event's cme_enabled and timezone as the scan read them in its own
                           statement, or None: then a listener reads the event itself). When
                           cme_enabled is false the scan may have committed already (the door's
                           one-statement path): a listener that writes then does so on its own
                           (both are sent again, with the earlier time, when an offline scan turns out
                           to precede the recorded one: listeners keep the earliest, not a second row)
  "scan_undone"            attendee_id, event_id, list_id, session_id (int|None: None for an entry
                           list), direction ("in"|"out"), scanned_at: a door undid that accepted scan
                           (emitted inside the undo's transaction); listeners withdraw what it fed
  "group_meeting_attended" attendee_id, session_id, meeting_id, attended_at, present (bool),
                           marked_by (int user id of the leader who marked the roster, or None)
  "registration_cancelled" event_id, attendee_ids (list of int), reason: registrations cancelled
                           (inside the cancellation's transaction); CME revokes their certificates
  "registration_transferred" event_id, attendee_id, previous_email, email: the place went to another
                           person (inside the transfer's transaction); CME takes the previous holder's
                           evidence, claim and certificate off the registration
  "order_refunded"         order_id, reason: money was given back on the order, in part or in full (by
                           staff, by policy, or reported by Stripe); listeners judge what is left paid
  "event_cancelled"        event_id: the society cancelled the event (after its orders were cancelled,
                           outside their transactions); CME revokes its certificates
  "refund_owed"            order_id, amount_cents, reason, kind: registration cancelled an order or a
                           part of one (after its transaction). kind "policy": the whole order by the
                           refund policy (card refunded at once, staff told what to send back by hand);
                           "cancellation" (one attendee) or "substitution" (a cheaper category): card
                           refunded at once, money paid by hand stays on the ledger as a credit
  "order_reinstated"       order_id: a paid order waiting for a place got one (registration.paid_waiting,
                           inside that transaction); payments numbers its invoice
  "staff_change"           actor_id (int user id, or None for the system), action, entity, entity_id,
                           before (dict|None), after (dict|None)
  "event_copied"           source_id, event_id, days, sessions ({source session id: copy's id}): staff
                           copied an event (registration.event_setup, inside its transaction); areas
                           copy their own per-event settings, dates moved by `days` at the same wall
                           time in the event's timezone (clock.days_later_same_wall_time)
  "event_timezone_changed" event_id, old_tz, new_tz: staff moved the event to another timezone keeping
                           local wall times (inside the save's transaction; sessions are moved already);
                           areas move their own times of the event the same way (clock.same_wall_time_in)
  "event_setup_saved"      event_id, form (dict of str), actor_id: staff saved the event set-up form
                           (inside its transaction, after "event_setup_problems" found none); an area
                           saves the settings of the form it keeps itself, and audits them
collect (a list of every provider's answer):
  "checkin_tokens"         event_id, attendees (dicts with id and token_version) -> {attendee_id: token}:
                           the signed token the door verifies, for the QR in mail and on the order page
  "badge_back_lines"       event_id, attendee_ids -> {attendee_id: [line, ...]}
  "badges_printed"         event_id, person_keys (list|None) -> {(person_key, token_version), ...}
  "badge_not_printed_clause" -> str: an SQL condition on the row registration_attendee, true when
                           its badge was never printed with its current token version
  "badge_people"           event_id -> [BadgePerson, ...]: people another area puts in the building
                           with a role (a Balint group's leader), whether or not they registered
  "dashboard_panels"       event_id -> [Panel, ...]
  "export_sources"         event_id -> [ExportSource, ...]: exports listed without building them
  "mail_filters"           event_id -> [MailFilter, ...]
  "event_publish_problems" event_id -> [str, ...]: what an area says the event lacks before it
                           can be published (e.g. an online session without its meeting link)
  "event_setup_values"     event_id -> {field name: text}: settings another area keeps for the event,
                           shown on the set-up form (e.g. an online event's reminder hours)
  "event_setup_problems"   event_id, form -> [FieldError, ...]: what is wrong with those fields
  "personal_data"          user_id, email -> {section title: list of dict rows}
  "privacy_keep"           user_id (int|None: people without an account), email (lower case)
                           -> [Keep, ...]: why this person's records must be kept, and which
                           registration fields (Keep.attendee_fields; None: all of them)
"""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import confops

_providers: dict[str, list[Callable[..., Awaitable[Any]]]] = defaultdict(list)
_many: dict[Callable[..., Awaitable[Any]], Callable[[list[dict]], Awaitable[Any]]] = {}
_loaded = False


def provides(name: str):
    def register(fn: Callable[..., Awaitable[Any]]):
        if fn not in _providers[name]:
            _providers[name].append(fn)
        return fn
    return register


def many_of(provider: Callable[..., Awaitable[Any]]):
    """Register the decorated function as `provider`'s form for many payloads at once."""
    def register(fn: Callable[[list[dict]], Awaitable[Any]]):
        _many[provider] = fn
        return fn
    return register


def _load() -> None:
    global _loaded
    if _loaded:
        return
    _loaded = True
    for area in sorted(m.name for m in pkgutil.iter_modules(confops.__path__) if m.ispkg):
        try:
            importlib.import_module(f"confops.{area}.listeners")
        except ModuleNotFoundError as exc:
            if exc.name != f"confops.{area}.listeners":
                raise


async def emit(name: str, **payload: Any) -> None:
    _load()
    for fn in list(_providers[name]):
        await fn(**payload)


async def emit_many(events: list[tuple[str, dict]]) -> None:
    """Emit each (name, payload), the payloads of one name together: each provider once with
    all of them if it has a `many_of` form, else once per payload, in order."""
    _load()
    by_name: dict[str, list[dict]] = defaultdict(list)
    for name, payload in events:
        by_name[name].append(payload)
    for name, payloads in by_name.items():
        for fn in list(_providers[name]):
            if fn in _many:
                await _many[fn](payloads)
            else:
                for payload in payloads:
                    await fn(**payload)


async def collect(name: str, **payload: Any) -> list[Any]:
    _load()
    return [await fn(**payload) for fn in list(_providers[name])]


@dataclass(frozen=True)
class Panel:
    """A dashboard panel: kind "number" (value, unit), "bar" ([(label, n)]) or "line" ([(x, y)])."""
    key: str
    title: str
    kind: str
    data: Any
    note: str = ""


@dataclass(frozen=True)
class ExportTable:
    """A table staff can download as CSV or XLSX: headers a person understands, rows of values."""
    key: str
    title: str
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)


@dataclass(frozen=True)
class ExportSource:
    """An export staff can download, listed without reading its rows. `build(event_id)` gives
    its headers and its rows as an async iterator of row lists (read a chunk at a time, see
    core/paging.py `chunks`), so a 20,000-row export never sits whole in memory, and the
    exports page names every export without running any of them."""
    key: str
    title: str
    build: Callable[[int], Awaitable[tuple[list[str], AsyncIterator[list[list[Any]]]]]]


@dataclass(frozen=True)
class BadgePerson:
    """Someone with a role at the event that the badges should show. `role` is a badge role
    (group_leader, faculty, staff); `lines` go on the badge back."""
    email: str
    name: str
    role: str
    institution: str = ""
    lines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Keep:
    """A reason to keep a person's records when they would be erased. `attendee_fields` are the
    registration fields it needs (e.g. name and e-mail for CME credit); the rest can go.
    None keeps the whole registration (an event still to come)."""
    reason: str
    attendee_fields: tuple[str, ...] | None = None


@dataclass(frozen=True)
class MailFilter:
    """A way to narrow a bulk e-mail: choices offered on the form, and who each choice means."""
    key: str
    label: str
    choices: list[tuple[str, str]]
    attendee_ids: Callable[[str], Awaitable[set[int]]]

"""Printing an event's badges: a batch (filtered, sorted by last name) or one at the desk.

Every print is recorded (`BadgePrint`) after the PDF is complete, in one transaction, so the
"not yet printed" filter of the next batch leaves out exactly what this one printed. The
recording happens when the PDF is handed over (downloaded, written by the CLI): a PDF that
failed half-way records nothing.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass
from typing import BinaryIO

from confops.badges.kinds import PrintReason
from confops.badges.tables import BadgePrint
from confops.core import extension
from confops.core.auth import Principal, Role, require
from confops.core.errors import Invalid, NotFound
from confops.db import transaction
from confops.documents.badge_data import BadgeFilters, Roster, badge_roster
from confops.documents.badges import BadgeData, write_badges
from confops.documents.layouts import Layout, LayoutError, available, load_layout
from confops.events.tables import Event

DESK_ROLES = (Role.registrar, Role.checkin)
DEFAULT_LAYOUT = "badge-4x3"


async def desk_event(slug: str, principal: Principal | None) -> dict:
    """The event, for staff who print badges (registrars and check-in staff; admins always)."""
    event = await Event.select(Event.id, Event.slug, Event.title, Event.organizer, Event.timezone,
                               Event.currency).where(Event.slug == slug).first()
    if event is None:
        raise NotFound("There is no such event.")
    require(principal, event["organizer"], *DESK_ROLES)
    return event


def shipped_layout(name: str) -> Layout:
    """A layout shipped in badges/ (never a path: names come from web forms)."""
    name = (name or DEFAULT_LAYOUT).strip()
    if name not in available():
        raise Invalid(f"Choose one of: {', '.join(available())}.", field="layout")
    try:
        return load_layout(name)
    except LayoutError as exc:
        raise Invalid(str(exc), field="layout") from exc


@dataclass(frozen=True)
class Printed:
    badges: int
    pages: int


async def print_badges(slug: str, out: BinaryIO, layout: Layout, filters: BadgeFilters, *, secret_key: str,
                       printed_by: int | None, reason: PrintReason = PrintReason.batch,
                       on_badge: Callable[[BadgeData], None] | None = None,
                       roster: Roster | None = None) -> Printed:
    """Draw the filtered badges into `out` and record that they were printed."""
    roster = roster or await badge_roster(slug, filters, secret_key=secret_key)
    if not roster.badges:
        return Printed(0, 0)
    pages = write_badges(out, roster.badges, layout, on_badge=on_badge, title=f"Badges: {roster.event['title']}")
    await record_prints(roster.event["id"], roster.badges, layout.name, reason, printed_by)
    return Printed(len(roster.badges), pages)


async def record_prints(event_id: int, badges: list[BadgeData], layout: str, reason: PrintReason,
                        printed_by: int | None) -> None:
    async with transaction():
        await BadgePrint.insert(*[
            BadgePrint(event=event_id, person_key=b.person_key, token_version=b.token_version, layout=layout,
                       reason=reason.value, printed_by=printed_by) for b in badges])


async def print_pdf(slug: str, layout: Layout, filters: BadgeFilters, *, secret_key: str, printed_by: int | None,
                    reason: PrintReason = PrintReason.batch) -> tuple[bytes, Printed]:
    buffer = io.BytesIO()
    done = await print_badges(slug, buffer, layout, filters, secret_key=secret_key, printed_by=printed_by,
                              reason=reason)
    return buffer.getvalue(), done


async def reprint(slug: str, person_key: str, layout: Layout, *, secret_key: str, printed_by: int | None) -> bytes:
    """One person's badge again (lost, misspelt, changed): recorded as a reprint."""
    pdf, done = await print_pdf(slug, layout, BadgeFilters(person_keys=frozenset({person_key})),
                                secret_key=secret_key, printed_by=printed_by, reason=PrintReason.reprint)
    if not done.badges:
        raise NotFound("This person has no badge for this event (cancelled, or awaiting payment?).")
    entity, _, entity_id = person_key.partition("-")  # attendee-12, speaker-3, user-5
    await extension.emit("staff_change", actor_id=printed_by, action="badge_reprinted", entity=entity,
                         entity_id=int(entity_id), before=None, after={"event": slug, "layout": layout.name})
    return pdf


async def last_prints(event_id: int, person_keys: list[str] | None = None) -> dict[str, dict]:
    """The latest print per person: {person_key: {token_version, printed_at, reason, count}};
    only for `person_keys` when given (the people on one page of the list)."""
    out: dict[str, dict] = {}
    where = BadgePrint.event == event_id
    if person_keys is not None:
        where &= BadgePrint.person_key.is_in(person_keys or [""])
    for r in await BadgePrint.select(BadgePrint.person_key, BadgePrint.token_version, BadgePrint.printed_at,
                                     BadgePrint.reason).where(where).order_by(BadgePrint.id):
        count = out.get(r["person_key"], {}).get("count", 0) + 1
        out[r["person_key"]] = {**r, "count": count}
    return out

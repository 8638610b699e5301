"""What the badges area tells others (confops/core/extension.py): which badges were printed,
for the "not printed yet" filter of the badge roster (documents/badge_data.py)."""

from __future__ import annotations

from confops.badges.tables import BadgePrint
from confops.core.extension import provides


@provides("badges_printed")
async def badges_printed(*, event_id: int, person_keys: list[str] | None = None) -> set[tuple[str, int]]:
    """(person key, token version) of every badge printed, or of these people's."""
    where = BadgePrint.event == event_id
    if person_keys is not None:
        where &= BadgePrint.person_key.is_in(person_keys or [""])
    return {(r["person_key"], r["token_version"]) for r in await BadgePrint.select(
        BadgePrint.person_key, BadgePrint.token_version).where(where)}


# The same rule in SQL, for registrations filtered and paged in the database: never printed with
# the registration's current token version. A condition on the row "registration_attendee".
NOT_PRINTED = ("NOT EXISTS (SELECT 1 FROM badge_print p WHERE p.event = registration_attendee.event "
               "AND p.person_key = 'attendee-' || registration_attendee.id "
               "AND p.token_version = registration_attendee.token_version)")


@provides("badge_not_printed_clause")
async def badge_not_printed_clause() -> str:
    return NOT_PRINTED

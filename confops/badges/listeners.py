"""What the badges area tells others (confops/core/extension.py): which badges were printed,
for the "not printed yet" filter of the badge roster (documents/badge_data.py)."""

from __future__ import annotations

from confops.badges.tables import BadgePrint
from confops.core.extension import provides


@provides("badges_printed")
async def badges_printed(*, event_id: int) -> set[tuple[str, int]]:
    return {(r["person_key"], r["token_version"]) for r in await BadgePrint.select(
        BadgePrint.person_key, BadgePrint.token_version).where(BadgePrint.event == event_id)}

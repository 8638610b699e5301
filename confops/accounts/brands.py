"""The name every page and e-mail is in: the organizer of the event shown or written about, or
the site's default organizer where none is (sign-in, a person's account).

Several societies share one site, so the name is never written into a template. Organizers are
few and their names rarely change, so each process keeps them all, read in one query the first
time one is asked for, again whenever one it has not seen is asked for (an organizer added
since), and again once they are `KEEP_SECONDS` old: a rename (accounts/organizers.py) forgets
them in its own process, and the other processes (workers, the mail sender) read the new name
within that time, as they would one changed in /admin. So the pages and mail cost one query per
process and minute, not one per page, and no restart is needed.
"""

from __future__ import annotations

import time

from confops.accounts.tables import Organizer
from confops.core.mail import Brand

# the site's name where no organizer exists yet (a fresh install before `confops demo`)
SITE = Brand("", "confops")

# How long a process answers from the names it read: the most another process's rename goes
# unseen (the catalog's age limit, registration/catalog_cache.py, is the same).
KEEP_SECONDS = 60.0

_by_slug: dict[str, Brand] = {}
_by_id: dict[int, Brand] = {}
_read_at = [0.0]  # time.monotonic() of the last read


def forget() -> None:
    """Read the organizers anew at the next question (a rename; tests empty the database
    between them)."""
    _by_slug.clear()
    _by_id.clear()


async def _load() -> None:
    rows = await Organizer.select(Organizer.id, Organizer.slug, Organizer.name)
    forget()
    _read_at[0] = time.monotonic()
    for row in rows:
        brand = Brand(row["slug"], row["name"])
        _by_slug[row["slug"]] = brand
        _by_id[row["id"]] = brand


def known(organizer: int | str | None) -> Brand | None:
    """The brand already read for an organizer id or slug, without asking the database."""
    if isinstance(organizer, bool) or organizer is None:
        return None
    return _by_id.get(organizer) if isinstance(organizer, int) else _by_slug.get(organizer)


async def of(organizer: int | str, default: str = "") -> Brand:
    """The brand of the organizer with this id or slug; the `default` organizer's (a slug), or
    the site's name, when there is no such organizer."""
    found = known(organizer) if time.monotonic() - _read_at[0] < KEEP_SECONDS else None
    if found is None:
        await _load()
        found = known(organizer)
    if found is None and default and default != organizer:
        return await of(default)
    return found or SITE


async def of_event(event: dict) -> Brand:
    """The brand of an event row (its `organizer` column, an id)."""
    return await of(event["organizer"])

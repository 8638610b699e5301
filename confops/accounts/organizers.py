"""Changing an organizer: its name, shown on every page and e-mail about its events."""

from __future__ import annotations

from confops.accounts import brands
from confops.accounts.tables import Organizer
from confops.core.errors import Invalid, NotFound

NAME_MAX = 200  # Organizer.name's length


async def rename(slug: str, name: str) -> None:
    """Give the organizer a new name. This process names it anew at once; the others within
    `brands.KEEP_SECONDS`."""
    name = " ".join((name or "").split())
    if not name or len(name) > NAME_MAX:
        raise Invalid(f"The name must be 1 to {NAME_MAX} characters.", field="name")
    if not await Organizer.exists().where(Organizer.slug == slug):
        raise NotFound(f"There is no organizer called {slug!r}.")
    await Organizer.update({Organizer.name: name}).where(Organizer.slug == slug)
    brands.forget()

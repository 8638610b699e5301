"""The organizer's logo on every page and in every e-mail, and the society's mark where an
organizer has none.

An organizer's logo is a PNG or JPEG in storage (`Organizer.logo_path`, a storage key), so every
host serves the same file. SVG is refused: served from our own origin it could carry script.
E-mail always gets a raster image (mail clients do not show SVG): the organizer's, or the
society mark's PNG. Looked up at most once a minute per process (`_cache`): the header of every
page and every message sent reads it.
"""

from __future__ import annotations

import functools
import secrets
import time
from dataclasses import dataclass, replace

from confops.accounts import brands
from confops.accounts.tables import Organizer
from confops.core.errors import Invalid, NotFound
from confops.core.mail import LOGO_CID, Attachment, Mailer, Message
from confops.core.storage import Storage

TYPES = {b"\x89PNG\r\n\x1a\n": ("image/png", "png"), b"\xff\xd8\xff": ("image/jpeg", "jpg")}
MAX_BYTES = 512 * 1024
TTL_SECONDS = 60.0


@dataclass(frozen=True)
class Logo:
    data: bytes
    media_type: str


@functools.cache  # the society's mark is a file of the package: read once per process
def _mark(name: str, media_type: str) -> Logo:
    from pathlib import Path

    return Logo((Path(__file__).resolve().parents[1] / "web" / "static" / "brand" / name).read_bytes(), media_type)


def society_mark() -> Logo:
    return _mark("logo.svg", "image/svg+xml")


def society_mark_png() -> Logo:
    return _mark("logo-128.png", "image/png")


def kind_of(data: bytes) -> tuple[str, str] | None:
    return next((kind for magic, kind in TYPES.items() if data.startswith(magic)), None)


_cache: dict[str, tuple[float, Logo | None]] = {}


async def uploaded_logo(slug: str, storage: Storage) -> Logo | None:
    """The organizer's own logo, or None when it has none (or the file is gone)."""
    hit = _cache.get(slug)
    if hit and hit[0] > time.monotonic():
        return hit[1]
    row = await Organizer.select(Organizer.logo_path).where(Organizer.slug == slug).first()
    logo = None
    if row and row["logo_path"]:
        try:
            data = await storage.get(row["logo_path"])
        except (FileNotFoundError, ValueError):
            data = b""
        kind = kind_of(data)
        logo = Logo(data, kind[0]) if kind else None
    _cache[slug] = (time.monotonic() + TTL_SECONDS, logo)
    return logo


async def page_logo(slug: str, storage: Storage) -> Logo:
    return await uploaded_logo(slug, storage) or society_mark()


async def mail_logo(slug: str, storage: Storage) -> Logo:
    return await uploaded_logo(slug, storage) or society_mark_png()


async def set_logo(slug: str, data: bytes, storage: Storage) -> str:
    """Store a new logo for the organizer (PNG or JPEG, at most 512 kB); returns its key."""
    kind = kind_of(data)
    if kind is None or len(data) > MAX_BYTES:
        raise Invalid("The logo must be a PNG or JPEG image of at most 512 kB.", field="logo")
    if not await Organizer.exists().where(Organizer.slug == slug):
        raise NotFound(f"There is no organizer called {slug!r}.")
    key = f"logos/{slug}-{secrets.token_hex(4)}.{kind[1]}"
    await storage.put(key, data, kind[0])
    await Organizer.update({Organizer.logo_path: key}).where(Organizer.slug == slug)
    _cache.pop(slug, None)
    return key


@dataclass
class BrandMailer:
    """Sends through `mailer` in the name of the organizer each message speaks for (its
    `brand`; the site's default organizer, `organizer`, for one about no event), with that
    organizer's logo as the inline image every HTML e-mail's header shows
    (templates/email/_layout.html, cid:logo@confops)."""

    mailer: Mailer
    organizer: str
    storage: Storage

    async def send(self, message: Message) -> None:
        if message.brand is None:
            message = replace(message, brand=await brands.of(self.organizer))
        if message.html is None or f"cid:{LOGO_CID}" in message.html:
            logo = await mail_logo(message.brand.slug or self.organizer, self.storage)
            ext = "png" if logo.media_type == "image/png" else "jpg"
            message = replace(message, attachments=(*message.attachments,
                                                    Attachment(f"logo.{ext}", logo.data, logo.media_type,
                                                               inline_cid=LOGO_CID)))
        await self.mailer.send(message)

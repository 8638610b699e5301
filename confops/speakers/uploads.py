"""Files speakers upload: a portrait photo (re-encoded by Pillow, never stored as sent) and
slides or handouts (PDF, PPTX, DOCX recognised by their bytes, not their names). They go to
the site's storage (core/storage.py: a folder, or a bucket shared by every host) under keys
`photos/…` and `materials/…`."""

from __future__ import annotations

import io
import secrets
import zipfile

from PIL import Image, UnidentifiedImageError

from confops.core.errors import Invalid
from confops.core.storage import Storage

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_MATERIAL_BYTES = 25 * 1024 * 1024
PHOTO_SIZE = 600  # longest side, pixels
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs early

MATERIAL_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def photo_jpeg(data: bytes) -> bytes:
    """Check, shrink and re-encode a photo as JPEG."""
    if not data:
        raise Invalid("Choose a photo to upload.", field="photo")
    if len(data) > MAX_PHOTO_BYTES:
        raise Invalid(f"The photo is larger than {MAX_PHOTO_BYTES // (1024 * 1024)} MB.", field="photo")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("JPEG", "PNG", "WEBP"):
                raise Invalid("Upload a JPEG, PNG or WebP photo.", field="photo")
            image.load()
            image = image.convert("RGB")
            image.thumbnail((PHOTO_SIZE, PHOTO_SIZE))
            out = io.BytesIO()
            image.save(out, "JPEG", quality=85)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError) as exc:
        raise Invalid("That file is not a photo we can read (JPEG, PNG or WebP).", field="photo") from exc
    return out.getvalue()


async def store_photo(data: bytes, storage: Storage, speaker_id: int) -> str:
    """Check and re-encode a photo, store it; returns its storage key."""
    jpeg = photo_jpeg(data)
    key = f"photos/{speaker_id}-{secrets.token_hex(8)}.jpg"
    await storage.put(key, jpeg, "image/jpeg")
    return key


def sniff_material(data: bytes) -> str | None:
    """'pdf', 'pptx' or 'docx' from the content; None for anything else."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        if "[Content_Types].xml" in names:
            if any(n.startswith("ppt/") for n in names):
                return "pptx"
            if any(n.startswith("word/") for n in names):
                return "docx"
    return None


async def store_material(data: bytes, storage: Storage, session_id: int) -> tuple[str, str]:
    """Returns (kind, storage key)."""
    if not data:
        raise Invalid("Choose a file to upload.", field="file")
    if len(data) > MAX_MATERIAL_BYTES:
        raise Invalid(f"The file is larger than {MAX_MATERIAL_BYTES // (1024 * 1024)} MB.", field="file")
    kind = sniff_material(data)
    if kind is None:
        raise Invalid("Upload a PDF, PowerPoint (.pptx) or Word (.docx) file.", field="file")
    key = f"materials/{session_id}-{secrets.token_hex(8)}.{kind}"
    await storage.put(key, data, MATERIAL_TYPES[kind])
    return kind, key

"""Files speakers upload: a portrait photo (re-encoded by Pillow, never stored as sent) and
slides or handouts (PDF, PPTX, DOCX recognised by their bytes, not their names)."""

from __future__ import annotations

import io
import secrets
import zipfile
from pathlib import Path

from PIL import Image, UnidentifiedImageError

from confops.core.errors import Invalid

MAX_PHOTO_BYTES = 5 * 1024 * 1024
MAX_MATERIAL_BYTES = 25 * 1024 * 1024
PHOTO_SIZE = 600  # longest side, pixels
Image.MAX_IMAGE_PIXELS = 40_000_000  # refuse decompression bombs early

MATERIAL_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def uploads_dir(var_dir: Path, *parts: str) -> Path:
    path = Path(var_dir) / "uploads"
    for part in parts:
        path = path / part
    path.mkdir(parents=True, exist_ok=True)
    return path


def store_photo(data: bytes, var_dir: Path, speaker_id: int) -> str:
    """Check, shrink and re-encode a photo as JPEG; returns the path relative to var/uploads."""
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
    name = f"{speaker_id}-{secrets.token_hex(8)}.jpg"
    (uploads_dir(var_dir, "photos") / name).write_bytes(out.getvalue())
    return f"photos/{name}"


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


def store_material(data: bytes, var_dir: Path, session_id: int) -> tuple[str, str]:
    """Returns (kind, path relative to var/uploads)."""
    if not data:
        raise Invalid("Choose a file to upload.", field="file")
    if len(data) > MAX_MATERIAL_BYTES:
        raise Invalid(f"The file is larger than {MAX_MATERIAL_BYTES // (1024 * 1024)} MB.", field="file")
    kind = sniff_material(data)
    if kind is None:
        raise Invalid("Upload a PDF, PowerPoint (.pptx) or Word (.docx) file.", field="file")
    name = f"{session_id}-{secrets.token_hex(8)}.{kind}"
    (uploads_dir(var_dir, "materials") / name).write_bytes(data)
    return kind, f"materials/{name}"


def read_upload(var_dir: Path, relative: str) -> bytes:
    base = (Path(var_dir) / "uploads").resolve()
    path = (base / relative).resolve()
    if base not in path.parents or not path.is_file():
        raise FileNotFoundError(relative)
    return path.read_bytes()

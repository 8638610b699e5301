"""Serial numbers for documents anyone may check at /verify (CME certificates, certificates of
attendance): a prefix and 100 random bits in Crockford's base 32, so the verify page cannot be
enumerated, and read back forgivingly from what people type."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_GROUPS = r"[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}"


def new(prefix: str) -> str:
    n = secrets.randbits(100)
    chars = "".join(ALPHABET[(n >> (5 * i)) & 31] for i in range(20))
    return f"{prefix}-" + "-".join(chars[i:i + 5] for i in range(0, 20, 5))


def normalize(raw: str, prefix: str) -> str | None:
    """What someone typed (lower case, O for 0, I/L for 1) to the canonical serial, or None."""
    text = (raw or "").strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")
    if text.startswith(prefix) and not text.startswith(f"{prefix}-"):
        text = f"{prefix}-" + text[len(prefix):]
    return text if re.fullmatch(f"{prefix}-{_GROUPS}", text) else None

"""Certificate serials: 100 random bits in Crockford base32, so a serial cannot be guessed or
enumerated (the verify page is public), yet reads aloud over the phone without ambiguity."""

from __future__ import annotations

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
_SHAPE = re.compile(r"^CME-[0-9A-HJKMNP-TV-Z]{5}(-[0-9A-HJKMNP-TV-Z]{5}){3}$")


def new_serial() -> str:
    n = secrets.randbits(100)
    chars = "".join(ALPHABET[(n >> (5 * i)) & 31] for i in range(20))
    return "CME-" + "-".join(chars[i:i + 5] for i in range(0, 20, 5))


def normalize(raw: str) -> str | None:
    """What someone typed (lower case, O for 0, I/L for 1) to the canonical serial, or None."""
    text = (raw or "").strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")
    if text.startswith("CME") and not text.startswith("CME-"):
        text = "CME-" + text[3:]
    return text if _SHAPE.match(text) else None

"""Certificate serials: 100 random bits in Crockford base32, so a serial cannot be guessed or
enumerated (the verify page is public), yet reads aloud over the phone without ambiguity."""

from __future__ import annotations

from confops.core import serials


def new_serial() -> str:
    return serials.new("CME")


def normalize(raw: str) -> str | None:
    """What someone typed (lower case, O for 0, I/L for 1) to the canonical serial, or None."""
    return serials.normalize(raw, "CME")

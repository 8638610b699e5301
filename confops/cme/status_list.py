"""W3C Bitstring Status List v1.0: the revocation list every credential points to.

One list per organizer, of LIST_BITS bits (the spec's minimum, 16 KB: a list that small in use
still hides which credential a verifier asks about). A credential's bit is at a random free
position, bit 0 being the most significant bit of the first byte; the list is GZIP-compressed
and written as multibase base64url (the "u" prefix), as the spec says. Pure functions: the
database decides which bits are set (cme/credentials.py)."""

from __future__ import annotations

import base64
import gzip
import zlib
from collections.abc import Iterable
from datetime import UTC, datetime

LIST_BITS = 131_072
PURPOSE = "revocation"
MAX_ENCODED = 4 * 1024 * 1024


def encode(indexes: Iterable[int], size: int = LIST_BITS) -> str:
    bits = bytearray(size // 8)
    for i in indexes:
        if not 0 <= i < size:
            raise ValueError(f"status index {i} is outside the list")
        bits[i // 8] |= 0x80 >> (i % 8)
    packed = gzip.compress(bytes(bits), compresslevel=9, mtime=0)
    return "u" + base64.urlsafe_b64encode(packed).decode().rstrip("=")


def decode(encoded: str) -> bytes:
    """The list's bytes; ValueError when it is not a multibase base64url GZIP bitstring."""
    if not isinstance(encoded, str) or not encoded.startswith("u") or len(encoded) > MAX_ENCODED:
        raise ValueError("the encoded list is not multibase base64url")
    raw = encoded[1:]
    try:
        packed = base64.b64decode(raw + "=" * (-len(raw) % 4), altchars=b"-_", validate=True)
        # Bounded: a list is at most a few MB, whatever a hostile server claims.
        inflater = zlib.decompressobj(wbits=31)
        bits = inflater.decompress(packed, 16 * 1024 * 1024)
    except (ValueError, zlib.error) as exc:
        raise ValueError("the encoded list does not decompress") from exc
    if inflater.unconsumed_tail:
        raise ValueError("the encoded list is larger than any status list")
    if not inflater.eof or not bits:
        raise ValueError("the encoded list is cut short")
    return bits


def is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"status index {index} is outside the list of {len(bits) * 8} bits")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


def entry(list_url: str, index: int) -> dict:
    """The credentialStatus of a credential whose bit is at `index`."""
    return {"id": f"{list_url}#{index}", "type": "BitstringStatusListEntry", "statusPurpose": PURPOSE,
            "statusListIndex": str(index), "statusListCredential": list_url}


def list_credential(list_url: str, issuer: dict, encoded: str, valid_from: datetime, valid_until: datetime) -> dict:
    return {
        "@context": ["https://www.w3.org/ns/credentials/v2"],
        "id": list_url,
        "type": ["VerifiableCredential", "BitstringStatusListCredential"],
        "issuer": issuer,
        "validFrom": iso(valid_from),
        "validUntil": iso(valid_until),
        "credentialSubject": {"id": f"{list_url}#list", "type": "BitstringStatusList",
                              "statusPurpose": PURPOSE, "encodedList": encoded},
    }


def iso(moment: datetime) -> str:
    """XML Schema dateTime in UTC, as VC Data Model 2.0 writes validFrom and validUntil."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")

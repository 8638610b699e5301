"""Check-in tokens: what the QR on a badge says, and how a scanner decides to trust it.

Choice: a **truncated HMAC-SHA256 under a per-event key**, not an Ed25519 signature.
  Ed25519 would be nicer for scanners (they would hold only a public key, so a lost device
  could forge nothing), but it does not fit the required QR: an Ed25519 signature alone is
  64 bytes, and a QR of version 4 at error correction M holds at most 62 bytes in byte mode,
  149 digits (≈ 61 bytes) in numeric mode or 90 characters (≈ 61 bytes) in alphanumeric mode
  (checked with the qrcode package; the "114 alphanumeric" figure sometimes quoted is level L).
  ECDSA signatures are as long; shorter signature schemes (BLS, short Schnorr) are not in the
  `cryptography` package nor in browsers' WebCrypto.
  So a check-in token carries an HMAC tag, and the per-event key is handed only to authorised
  scanner devices (over TLS, at device sync, imported into the browser as a non-extractable
  WebCrypto key). The trade-off, stated plainly: a device that is stolen *and* broken open can
  mint badges for that one event; staff then revoke the device and rotate the event's key
  (``generation`` + 1, tokens re-issued), and every token of the old generation is refused.

Security margin: the tag is 96 bits, so a forged token is accepted with probability 2**-96 per
try (16 bits above the 80 asked for; a door scanner manages perhaps 10 tries a second). The key
is 256 random bits, so recovering it is out of reach; HMAC-SHA256 truncated to 96 bits is a
standard construction (RFC 2104 §5 advises at least 80 bits and half the hash length).

Encoding (format 1): the digit ``1`` followed by the 56 decimal digits of 23 bytes:
  event_id (u32) ‖ attendee_id (u32) ‖ token_version (u16) ‖ key generation (u8) ‖ tag (12)
  tag = HMAC-SHA256(event key, b"confops-checkin-1" ‖ the first 11 bytes)[:12]
57 digits encode in numeric mode as a QR of version 2 at level M (small, so it scans from a
phone at arm's length and prints crisply at 25 mm). Digits are what every keyboard-wedge
scanner types without case or layout surprises. The width is fixed and the value bounded, so
each token has exactly one spelling: any changed, added or removed digit is refused.

Revocation: the token carries the attendee's ``token_version``. Cancelling, refunding or
transferring a registration increments the attendee's current version; a token whose version
is older is refused as ``revoked``. Online, the server compares with the attendee row; an
offline scanner gets ``{attendee_id: current_version}`` on each sync (``OfflineVerifier``).

What the browser scanner page needs to verify offline (a later session builds it): the event
id, the key's generation and its 32 raw bytes (``EventKey.secret``), and the revocation map.
In JS: check 57 digits starting with "1", BigInt → 23 bytes (reject ≥ 2**184), split as above,
``crypto.subtle.importKey("raw", key, {name: "HMAC", hash: "SHA-256"}, false, ["sign"])``,
sign DOMAIN ‖ first 11 bytes, compare the first 12 bytes of the result with the tag.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

FORMAT = "1"
DOMAIN = b"confops-checkin-1"
CLAIMS_BYTES = 11
TAG_BYTES = 12
TOKEN_BYTES = CLAIMS_BYTES + TAG_BYTES
DIGITS = 56  # 2**184 < 10**56
TOKEN_LENGTH = len(FORMAT) + DIGITS
_LIMIT = 1 << (8 * TOKEN_BYTES)
MAX_ID = (1 << 32) - 1
MAX_VERSION = (1 << 16) - 1
MAX_GENERATION = 255


class Verdict(StrEnum):
    ok = "ok"
    invalid = "invalid"
    wrong_event = "wrong_event"
    revoked = "revoked"


@dataclass(frozen=True)
class EventKey:
    """The per-event secret (32 random bytes) and its generation (bumped on rotation)."""

    event_id: int
    generation: int
    secret: bytes = field(repr=False)


@dataclass(frozen=True)
class Claims:
    event_id: int
    attendee_id: int
    token_version: int
    generation: int = 1

    def to_bytes(self) -> bytes:
        for name, value, top in (("event_id", self.event_id, MAX_ID),
                                 ("attendee_id", self.attendee_id, MAX_ID),
                                 ("token_version", self.token_version, MAX_VERSION),
                                 ("generation", self.generation, MAX_GENERATION)):
            if not 0 <= value <= top:
                raise ValueError(f"{name} {value} does not fit a check-in token (0..{top})")
        return (self.event_id.to_bytes(4, "big") + self.attendee_id.to_bytes(4, "big")
                + self.token_version.to_bytes(2, "big") + self.generation.to_bytes(1, "big"))

    @classmethod
    def from_bytes(cls, raw: bytes) -> Claims:
        return cls(int.from_bytes(raw[0:4], "big"), int.from_bytes(raw[4:8], "big"),
                   int.from_bytes(raw[8:10], "big"), raw[10])


@dataclass(frozen=True)
class Result:
    verdict: Verdict
    claims: Claims | None = None

    @property
    def ok(self) -> bool:
        return self.verdict is Verdict.ok


def _tag(key: EventKey, body: bytes) -> bytes:
    return hmac.new(key.secret, DOMAIN + body, hashlib.sha256).digest()[:TAG_BYTES]


def issue(key: EventKey, attendee_id: int, token_version: int) -> str:
    """The token for one attendee at one version, as the digits the QR encodes."""
    body = Claims(key.event_id, attendee_id, token_version, key.generation).to_bytes()
    return FORMAT + str(int.from_bytes(body + _tag(key, body), "big")).zfill(DIGITS)


def parse(token: str) -> tuple[Claims, bytes, bytes] | None:
    """Claims, signed bytes and tag; None unless the token is canonically spelled."""
    token = token.strip()
    if len(token) != TOKEN_LENGTH or not token.isascii() or not token.isdigit() or not token.startswith(FORMAT):
        return None
    value = int(token[len(FORMAT):])
    if value >= _LIMIT:
        return None
    raw = value.to_bytes(TOKEN_BYTES, "big")
    return Claims.from_bytes(raw[:CLAIMS_BYTES]), raw[:CLAIMS_BYTES], raw[CLAIMS_BYTES:]


def verify(token: str, *, key: EventKey, current_version: int | None) -> Result:
    """Check a scanned token against this event's current key.

    ``current_version`` is the attendee's current token version (None when no such attendee
    is known). A badge of another event says ``wrong_event`` (after its claims, not its tag:
    we hold no key to check it with); one signed by a rotated-out key says ``revoked``.
    """
    parsed = parse(token)
    if parsed is None:
        return Result(Verdict.invalid)
    claims, body, tag = parsed
    if claims.event_id != key.event_id:
        return Result(Verdict.wrong_event, claims)
    if claims.generation < key.generation:
        return Result(Verdict.revoked, claims)
    if claims.generation != key.generation or not hmac.compare_digest(tag, _tag(key, body)):
        return Result(Verdict.invalid)
    if current_version is None or claims.token_version > current_version:
        return Result(Verdict.invalid, claims)
    if claims.token_version < current_version:
        return Result(Verdict.revoked, claims)
    return Result(Verdict.ok, claims)


@dataclass
class OfflineVerifier:
    """What an offline scanner holds after a sync: the event's key and the revocation map
    ``{attendee_id: current token_version}``. The browser scanner does the same in JS; this
    class is the reference that the server and the tests share."""

    key: EventKey
    current_versions: Mapping[int, int]

    def check(self, token: str) -> Result:
        parsed = parse(token)
        current = self.current_versions.get(parsed[0].attendee_id) if parsed else None
        return verify(token, key=self.key, current_version=current)

"""Sealing the per-event check-in keys (see tokens.py for why a symmetric key).

Why a random key stored encrypted, rather than one derived from the secret key: a derived key
would make CONFOPS_SECRET_KEY alone enough to forge every badge of every event, and an event's
key could not be rotated (after a scanner is lost) without changing the secret key for the
whole site. A random key sealed under a key derived from CONFOPS_SECRET_KEY (confops/core/sealing.py)
needs both the database row and the secret key. The event id and generation are authenticated with
the ciphertext, so a sealed key copied onto another event's row does not open.
Rotating CONFOPS_SECRET_KEY therefore means re-sealing these rows (old secret in, new out):
`confops rotate-secret` does it, and until it has, the keys in CONFOPS_OLD_SECRET_KEYS still
open them (core/sealing.py), so badges keep verifying throughout.
"""

from __future__ import annotations

import os

from confops.checkin.tokens import EventKey
from confops.core import sealing

_INFO = b"confops/checkin/event-key/v1"


def _aad(event_id: int, generation: int) -> bytes:
    return f"event:{event_id}:generation:{generation}".encode()


def new_key(event_id: int, generation: int = 1) -> EventKey:
    return EventKey(event_id, generation, os.urandom(32))


def seal(key: EventKey, secret_key: str) -> str:
    return sealing.seal(key.secret, secret_key=secret_key, info=_INFO, aad=_aad(key.event_id, key.generation))


def unseal(event_id: int, generation: int, sealed: str, secret_key: str) -> EventKey:
    """Open a stored key (with the secret key, or an old one during a rotation); ValueError when
    the secret key or the row does not match."""
    try:
        secret = sealing.unseal(sealed, secret_key=secret_key, info=_INFO, aad=_aad(event_id, generation))
    except sealing.InvalidTag as exc:
        raise ValueError(f"the check-in key of event {event_id} does not open with this secret key") from exc
    return EventKey(event_id, generation, secret)


def reseal(event_id: int, generation: int, sealed: str, secret_key: str, old_secret_keys: tuple[str, ...]) -> str | None:
    """The row's key sealed under `secret_key`, or None when it already is; ValueError when no
    key given opens it."""
    try:
        return sealing.reseal(sealed, secret_key=secret_key, old_secret_keys=old_secret_keys, info=_INFO,
                              aad=_aad(event_id, generation))
    except sealing.InvalidTag as exc:
        raise ValueError(f"the check-in key of event {event_id} opens with none of the keys given") from exc


accept_old_secrets = sealing.accept_old_secrets

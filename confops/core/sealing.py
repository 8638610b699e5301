"""Secrets stored in the database, sealed under a key derived from CONFOPS_SECRET_KEY.

Why: a row copied out of the database (a backup, a leaked dump) is useless without the secret
key, and the secret key alone is useless without the row. AES-256-GCM under an HKDF-derived
key; `info` separates the uses (a check-in key and an issuer key never share a wrapping key),
`aad` binds the ciphertext to its row, so a sealed secret copied onto another row does not open.
Rotating CONFOPS_SECRET_KEY therefore means re-sealing every sealed row (old secret in, new out):
`confops rotate-secret` does it, and meanwhile the keys in CONFOPS_OLD_SECRET_KEYS still open
what they sealed (accept_old_secrets, set once at start-up).
"""

from __future__ import annotations

import base64
import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _wrapping_key(secret_key: str, info: bytes) -> AESGCM:
    if len(secret_key) < 32:
        raise ValueError("the secret key is too short to protect stored keys")
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(secret_key.encode())
    return AESGCM(derived)


def seal(secret: bytes, *, secret_key: str, info: bytes, aad: bytes) -> str:
    nonce = os.urandom(12)
    return base64.b64encode(nonce + _wrapping_key(secret_key, info).encrypt(nonce, secret, aad)).decode()


_old_secret_keys: tuple[str, ...] = ()


def accept_old_secrets(secret_keys: tuple[str, ...]) -> None:
    """Previous secret keys that may still have sealed some rows, during a rotation."""
    global _old_secret_keys
    _old_secret_keys = tuple(secret_keys)


def _opened(sealed: str, secret_keys: tuple[str, ...], info: bytes, aad: bytes) -> tuple[bytes, int]:
    blob = base64.b64decode(sealed)
    for index, secret_key in enumerate(secret_keys):
        try:
            return _wrapping_key(secret_key, info).decrypt(blob[:12], blob[12:], aad), index
        except InvalidTag:
            continue
    raise InvalidTag()


def unseal(sealed: str, *, secret_key: str, info: bytes, aad: bytes) -> bytes:
    """The secret, or InvalidTag when the secret key (and any old one still accepted), the use
    or the row does not match."""
    return _opened(sealed, (secret_key, *_old_secret_keys), info, aad)[0]


def reseal(sealed: str, *, secret_key: str, old_secret_keys: tuple[str, ...], info: bytes, aad: bytes) -> str | None:
    """`sealed` sealed again under `secret_key` when an old key sealed it; None when it already
    opens with `secret_key`; InvalidTag when none of them opens it."""
    secret, index = _opened(sealed, (secret_key, *old_secret_keys), info, aad)
    return None if index == 0 else seal(secret, secret_key=secret_key, info=info, aad=aad)


__all__ = ["InvalidTag", "accept_old_secrets", "reseal", "seal", "unseal"]

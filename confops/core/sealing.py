"""Secrets stored in the database, sealed under a key derived from CONFOPS_SECRET_KEY.

Why: a row copied out of the database (a backup, a leaked dump) is useless without the secret
key, and the secret key alone is useless without the row. AES-256-GCM under an HKDF-derived
key; `info` separates the uses (a check-in key and an issuer key never share a wrapping key),
`aad` binds the ciphertext to its row, so a sealed secret copied onto another row does not open.
Rotating CONFOPS_SECRET_KEY therefore means re-sealing every sealed row (old secret in, new out).
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


def unseal(sealed: str, *, secret_key: str, info: bytes, aad: bytes) -> bytes:
    """The secret, or InvalidTag when the secret key, the use or the row does not match."""
    blob = base64.b64decode(sealed)
    return _wrapping_key(secret_key, info).decrypt(blob[:12], blob[12:], aad)


__all__ = ["InvalidTag", "seal", "unseal"]

"""The second factor of staff sign-in: a TOTP authenticator app (RFC 6238), and recovery codes.

Who must use one: every admin, and every staff role when CONFOPS_STAFF_SECOND_FACTOR is on; anyone
who set one up is asked for it too. The secret is stored encrypted with a key derived from
CONFOPS_SECRET_KEY (a copy of the database alone does not give the codes); a code is accepted
once (the last time step used is kept, so a code seen over a shoulder cannot be replayed in
its 30 seconds). Recovery codes are random, shown once, stored as hashes and used once each.
"""

from __future__ import annotations

import base64
import hashlib
import secrets

import pyotp
from cryptography.fernet import Fernet, InvalidToken

from confops.accounts.tables import RecoveryCode, RoleGrant, SecondFactor, User
from confops.core import clock
from confops.core.auth import STAFF_ROLES, Role
from confops.db import transaction

ISSUER = "confops"
RECOVERY_CODES = 10
_config = {"secret": "", "all_staff": False}


def configure(secret_key: str, *, all_staff: bool) -> None:
    _config["secret"], _config["all_staff"] = secret_key, all_staff


def _fernet() -> Fernet:
    key = hashlib.sha256(f"second-factor:{_config['secret']}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(secret: str, email: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)


async def required(user_id: int) -> bool:
    """Whether this person's sign-in needs a second factor."""
    roles = {r["role"] for r in await RoleGrant.select(RoleGrant.role).where(RoleGrant.user == user_id)}
    if Role.admin.value in roles:
        return True
    if _config["all_staff"] and roles & {r.value for r in STAFF_ROLES}:
        return True
    return await enrolled(user_id)


async def enrolled(user_id: int) -> bool:
    return await SecondFactor.exists().where(SecondFactor.user == user_id)


def _code_matches(secret: str, code: str, last_step: int) -> int | None:
    """The time step the code belongs to (now, or one step either side for clock drift), if it
    is newer than the last one used."""
    totp = pyotp.TOTP(secret)
    now = clock.now()
    step_now = int(now.timestamp()) // totp.interval
    for step in (step_now, step_now - 1, step_now + 1):
        if step > last_step and secrets.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def _clean(code: str) -> str:
    return "".join(ch for ch in (code or "") if ch.isalnum()).lower()[:40]


async def enrol(user_id: int, secret: str, code: str) -> list[str] | None:
    """Set up the authenticator whose `secret` the person was shown, if `code` is from it.
    Returns the new recovery codes (shown once), or None for a wrong code."""
    code = _clean(code)
    step = _code_matches(secret, code, 0) if len(code) == 6 else None
    if step is None:
        return None
    encrypted = _fernet().encrypt(secret.encode()).decode()
    async with transaction():
        await SecondFactor.delete().where(SecondFactor.user == user_id)
        await SecondFactor.insert(SecondFactor(user=user_id, secret_encrypted=encrypted, enabled_at=clock.now(),
                                               last_step=step))
        return await _new_recovery_codes(user_id)


async def new_recovery_codes(user_id: int) -> list[str]:
    """Replace the person's recovery codes (the old ones stop working)."""
    async with transaction():
        return await _new_recovery_codes(user_id)


async def _new_recovery_codes(user_id: int) -> list[str]:
    await RecoveryCode.delete().where(RecoveryCode.user == user_id)
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = base64.b32encode(secrets.token_bytes(7)).decode().lower().rstrip("=")[:10]
        codes.append(f"{raw[:5]}-{raw[5:]}")
    await RecoveryCode.insert(*[RecoveryCode(user=user_id, code_hash=_hash(c)) for c in codes])
    return codes


def _hash(code: str) -> str:
    return hashlib.sha256(f"recovery:{_clean(code)}".encode()).hexdigest()


async def recovery_codes_left(user_id: int) -> int:
    return await RecoveryCode.count().where((RecoveryCode.user == user_id) & RecoveryCode.used_at.is_null())


async def verify(user_id: int, code: str) -> str | None:
    """Check a code from the authenticator, or a recovery code. Returns "totp" or "recovery"
    for an accepted one (each works once, also when two requests race), None otherwise."""
    cleaned = _clean(code)
    if len(cleaned) == 6 and cleaned.isdigit():
        row = await SecondFactor.select().where(SecondFactor.user == user_id).first()
        if row is None:
            return None
        try:
            secret = _fernet().decrypt(row["secret_encrypted"].encode()).decode()
        except InvalidToken:  # the secret key changed since: the person uses a recovery code
            return None
        step = _code_matches(secret, cleaned, row["last_step"])
        if step is None:
            return None
        # Conditional: of two requests with the same code, one moves the step and wins.
        won = await SecondFactor.update({SecondFactor.last_step: step}).where(
            (SecondFactor.user == user_id) & (SecondFactor.last_step < step)).returning(SecondFactor.id)
        return "totp" if won else None
    if len(cleaned) == 10:
        used = await RecoveryCode.update({RecoveryCode.used_at: clock.now()}).where(
            (RecoveryCode.user == user_id) & (RecoveryCode.code_hash == _hash(cleaned))
            & RecoveryCode.used_at.is_null()).returning(RecoveryCode.id)
        return "recovery" if used else None
    return None


async def reset(email: str) -> bool:
    """Remove a person's second factor and recovery codes (an admin's command for someone who
    lost both); they set up a new one at their next sign-in. False if there is no such person."""
    user = await User.select(User.id).where(User.email == email.strip().lower()).first()
    if user is None:
        return False
    async with transaction():
        await SecondFactor.delete().where(SecondFactor.user == user["id"])
        await RecoveryCode.delete().where(RecoveryCode.user == user["id"])
    return True

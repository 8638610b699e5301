"""Check-in use-cases that need the database: the event's key, issuing tokens."""

from __future__ import annotations

from confops.checkin import keys as keyring
from confops.checkin import tokens
from confops.checkin.tables import EventSigningKey
from confops.core.errors import Misconfigured
from confops.db import transaction


async def event_key(event_id: int, secret_key: str) -> tokens.EventKey:
    """The event's check-in key, created on first use.

    Two processes creating it at once: the unique event column lets one insert win and the
    other reads the winner's row, so every badge of an event is signed with the same key.
    """
    row = await EventSigningKey.objects().where(EventSigningKey.event == event_id).first()
    if row is None:
        made = keyring.new_key(event_id)
        try:
            async with transaction():
                await EventSigningKey.insert(EventSigningKey(
                    event=event_id, generation=made.generation, key_sealed=keyring.seal(made, secret_key)))
            return made
        except Exception:
            row = await EventSigningKey.objects().where(EventSigningKey.event == event_id).first()
            if row is None:
                raise
    try:
        return keyring.unseal(event_id, row.generation, row.key_sealed, secret_key)
    except ValueError as exc:
        # every host must share CONFOPS_SECRET_KEY: say so instead of failing every scan with a 500
        raise Misconfigured("This server cannot open the event's check-in key: its CONFOPS_SECRET_KEY differs "
                            "from the one that sealed it (see docs/deploy.md, the secret key).") from exc


def issue_token(key: tokens.EventKey, attendee_id: int, token_version: int) -> str:
    return tokens.issue(key, attendee_id, token_version)


async def reseal_keys(secret_key: str, old_secret_keys: tuple[str, ...]) -> dict[str, int]:
    """Seal every event's check-in key under `secret_key`, opening each with whichever of the
    old keys sealed it; returns how many were resealed, already current, and unopenable
    (sealed by a key that is in neither). Safe to run again, and while the site is serving:
    each row is replaced only if nobody changed it meanwhile."""
    counts = {"resealed": 0, "current": 0, "unopenable": 0}
    for row in await EventSigningKey.select().order_by(EventSigningKey.id):
        try:
            resealed = keyring.reseal(row["event"], row["generation"], row["key_sealed"], secret_key, old_secret_keys)
        except ValueError:
            counts["unopenable"] += 1
            continue
        if resealed is None:
            counts["current"] += 1
            continue
        await EventSigningKey.update({EventSigningKey.key_sealed: resealed}).where(
            (EventSigningKey.id == row["id"]) & (EventSigningKey.key_sealed == row["key_sealed"]))
        counts["resealed"] += 1
    return counts

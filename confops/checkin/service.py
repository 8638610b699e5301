"""Check-in use-cases that need the database: the event's key, issuing tokens."""

from __future__ import annotations

from confops.checkin import keys as keyring
from confops.checkin import tokens
from confops.checkin.tables import EventSigningKey
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
    return keyring.unseal(event_id, row.generation, row.key_sealed, secret_key)


def issue_token(key: tokens.EventKey, attendee_id: int, token_version: int) -> str:
    return tokens.issue(key, attendee_id, token_version)

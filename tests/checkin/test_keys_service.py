"""Per-event check-in keys stored sealed in the database, on both engines."""

import asyncio
from datetime import timedelta

from confops.accounts.tables import Organizer
from confops.checkin import service, tokens
from confops.checkin.tables import EventSigningKey
from confops.core import clock
from confops.events.tables import Event
from tests.conftest import TEST_SECRET


async def _event(org: int, slug: str) -> int:
    start = clock.now() + timedelta(days=3)
    row = Event(organizer=org, slug=slug, title=slug, kind="course", timezone="UTC",
                starts_at=start, ends_at=start + timedelta(hours=8))
    await row.save()
    return row.id


async def test_one_key_per_event_created_once_and_reused(db):
    org = Organizer(slug="o", name="Org")
    await org.save()
    first, second = await _event(org.id, "a"), await _event(org.id, "b")
    made = await asyncio.gather(*(service.event_key(first, TEST_SECRET) for _ in range(4)))
    assert len({k.secret for k in made}) == 1
    assert await EventSigningKey.count() == 1
    again = await service.event_key(first, TEST_SECRET)
    assert again == made[0]
    row = await EventSigningKey.objects().where(EventSigningKey.event == first).first()
    assert again.secret.hex() not in row.key_sealed and TEST_SECRET not in row.key_sealed
    other = await service.event_key(second, TEST_SECRET)
    assert other.secret != again.secret

    token = service.issue_token(again, attendee_id=12, token_version=1)
    assert tokens.OfflineVerifier(again, {12: 1}).check(token).ok
    assert tokens.OfflineVerifier(other, {12: 1}).check(token).verdict is tokens.Verdict.wrong_event

"""db.raw runs the hot paths' hand-written statements: straight on asyncpg's pool on
PostgreSQL outside a transaction, through Piccolo anywhere else. Both ways must give the same
rows, and inside a transaction the statement must see (and be part of) that transaction."""

import contextlib
from datetime import UTC, datetime

import pytest

from confops.accounts.tables import Organizer
from confops.db import connection_pool, raw, transaction
from confops.events.tables import Event

COUNT = "SELECT count(*) AS n, {} AS slug, CAST({} AS INTEGER) + 1 AS next FROM event WHERE slug = {}"


async def _event(slug: str) -> None:
    org = await Organizer.objects().get_or_create(Organizer.slug == "abs", defaults={Organizer.name: "ABS"})
    await Event(organizer=org.id, slug=slug, title="E", kind="course", starts_at=datetime(2031, 1, 1, tzinfo=UTC),
                ends_at=datetime(2031, 1, 2, tzinfo=UTC)).save()


@pytest.mark.parametrize("pooled", [True, False], ids=["pool", "no-pool"])
async def test_the_same_rows_with_or_without_a_pool(db, pooled):
    await _event("one")
    async with connection_pool(db.engine) if pooled else contextlib.nullcontext():
        if pooled and db.engine.engine_type == "postgres":
            assert db.engine.pool is not None  # the straight path is the one under test
        assert await raw(Event, COUNT, "one", 41, "one") == [{"n": 1, "slug": "one", "next": 42}]
        assert await raw(Event, COUNT, "none", 0, "none") == [{"n": 0, "slug": "none", "next": 1}]


async def test_inside_a_transaction_it_runs_in_that_transaction(db):
    async with connection_pool(db.engine):
        with pytest.raises(RuntimeError):
            async with transaction():
                await _event("uncommitted")
                # Only a statement on the transaction's own connection sees the row written in it.
                assert (await raw(Event, COUNT, "x", 0, "uncommitted"))[0]["n"] == 1
                raise RuntimeError("roll back")
        assert await Event.count() == 0

"""The one migration sequence builds every table and column on both engines."""

import sqlite3

import asyncpg

from confops.db import all_tables
from tests.support.databases import run_sync


async def _columns(engine, table: str) -> set[str]:
    if engine.engine_type == "sqlite":
        rows = await engine.run_ddl(f'PRAGMA table_info("{table}")')
        return {r["name"] for r in rows}
    rows = await engine.run_ddl(
        f"SELECT column_name FROM information_schema.columns WHERE table_name = '{table}'"
    )
    return {r["column_name"] for r in rows}


def test_migrations_from_empty_create_every_table_and_column(db):
    for table in all_tables():
        have = run_sync(_columns(db.engine, table._meta.tablename))
        want = {c._meta.db_column_name for c in table._meta.columns}
        assert want <= have, f"{table._meta.tablename} lacks {want - have} after migrating"


async def test_composite_uniques_hold(db):
    from datetime import UTC, datetime

    import pytest

    from confops.accounts.tables import Organizer
    from confops.events.tables import Event, Room

    org = Organizer(slug="o", name="O")
    await org.save()
    event = Event(organizer=org.id, slug="e", title="E", kind="course",
                  starts_at=datetime(2030, 1, 1, tzinfo=UTC), ends_at=datetime(2030, 1, 2, tzinfo=UTC))
    await event.save()
    await Room(event=event.id, name="A").save()
    with pytest.raises((sqlite3.IntegrityError, asyncpg.UniqueViolationError)):
        await Room(event=event.id, name="A").save()
    assert await Room.count() == 1


async def test_migrations_match_the_tables():
    """A table changed without a migration (or a merge that lost one) fails here."""
    from piccolo.apps.migrations.commands.new import AutoMigrationManager

    from confops.piccolo_app import APP_CONFIG

    pending = await AutoMigrationManager(auto_input="n").get_alter_statements(app_config=APP_CONFIG)
    statements = [s for group in pending for s in group.statements]
    assert statements == [], "run `make migration DESC=…`: " + "\n".join(statements)[:2000]

"""The name keys of existing registrations, and their indexes: badge order by (event, name_key)
and, on PostgreSQL, trigram indexes for the searches by part of a name, e-mail or institution
and by an order's buyer (when the pg_trgm extension may be created; without it the same LIKE
searches read the event's rows)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

from confops.registration.name_keys import SOURCES, name_columns

ID = "2026-12-06T11:11:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration: name keys filled in, badge-order index, trigram search indexes on PostgreSQL"
ORDER_INDEX = "registration_attendee_event_name_key_idx"
TRIGRAM_INDEXES = {  # name: (table, expression); an expression as the searches write it
    "registration_attendee_name_search_trgm": ("registration_attendee", "name_search"),
    "registration_attendee_search_text_trgm": ("registration_attendee", "search_text"),
    "registration_order_buyer_trgm": ("registration_order", "(lower(buyer_name) || ' ' || lower(buyer_email))"),
}


async def _fill() -> None:
    after = 0
    while True:
        rows = await _select(after)
        if not rows:
            return
        for row in rows:
            keys = name_columns(*(row[c] or "" for c in SOURCES))
            await _update(row["id"], keys)
        after = rows[-1]["id"]


async def _select(after: int) -> list[dict]:
    from confops.registration.tables import Attendee

    return await Attendee.raw(
        f"SELECT id, {', '.join(SOURCES)} FROM registration_attendee WHERE id > {{}} ORDER BY id LIMIT 1000", after)


async def _update(attendee_id: int, keys: dict) -> None:
    from confops.registration.tables import Attendee

    await Attendee.raw("UPDATE registration_attendee SET name_key = {}, name_search = {}, search_text = {} "
                       "WHERE id = {}", keys["name_key"], keys["name_search"], keys["search_text"], attendee_id)


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def fill_and_index():
        engine = engine_finder()
        await _fill()
        if isinstance(engine, PostgresEngine):
            # Byte order, as SQLite compares: the order of documents.badges.sort_key.
            await engine.run_ddl('ALTER TABLE registration_attendee ALTER COLUMN name_key TYPE text COLLATE "C"')
        await engine.run_ddl(
            f"CREATE INDEX IF NOT EXISTS {ORDER_INDEX} ON registration_attendee (event, name_key, id)")
        if isinstance(engine, PostgresEngine):
            await _trigram_indexes(engine)

    async def drop_indexes():
        engine = engine_finder()
        for name in (ORDER_INDEX, *TRIGRAM_INDEXES):
            await engine.run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(fill_and_index)
    manager.add_raw_backwards(drop_indexes)
    return manager


async def _trigram_indexes(engine) -> None:
    """pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. Where
    the role may not, the savepoint keeps the migration going without the indexes."""
    await engine.run_ddl("SAVEPOINT trigram")
    try:
        await engine.run_ddl("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # noqa: BLE001 - any refusal means: no trigram indexes here
        await engine.run_ddl("ROLLBACK TO SAVEPOINT trigram")
        return
    await engine.run_ddl("RELEASE SAVEPOINT trigram")
    for name, (table, expression) in TRIGRAM_INDEXES.items():
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression} gin_trgm_ops)")

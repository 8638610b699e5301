"""Reads of an event write nothing: every event gets its sales row and a catalog stamp here
(events made before the services created both, or by SQL), and the expired unpaid holds a read
counts as free are found by an index of the holding orders by due time."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.engine.postgres import PostgresEngine

ID = "2026-12-06T13:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration: a sales row and a catalog stamp for every event, index of holding orders by due time"
HELD_INDEX = "registration_order_held_until"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def backfill_and_index():
        engine = engine_finder()
        await engine.run_ddl("INSERT INTO event_sales (event) SELECT id FROM event "
                             "WHERE id NOT IN (SELECT event FROM event_sales)")
        random_stamp = ("substr(md5(random()::text || id::text), 1, 16)" if isinstance(engine, PostgresEngine)
                        else "lower(hex(randomblob(8)))")
        await engine.run_ddl(f"UPDATE event_sales SET catalog_stamp = {random_stamp} "
                             "WHERE catalog_stamp = '' OR catalog_stamp IS NULL")
        await engine.run_ddl(f"CREATE INDEX IF NOT EXISTS {HELD_INDEX} ON registration_order (event, expires_at) "
                             "WHERE status IN ('pending', 'awaiting_payment')")

    async def drop_index():
        await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {HELD_INDEX}")

    manager.add_raw(backfill_and_index)
    manager.add_raw_backwards(drop_index)
    return manager

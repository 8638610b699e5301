from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T09:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration: one waiting (or offered) waitlist entry per person and event"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def create_unique_index():
        engine = engine_finder()
        # A double click made two waiting entries: keep the offered one, else the first; the
        # others leave the list.
        await engine.run_ddl(
            "UPDATE waitlist_entry SET status = 'left' WHERE status IN ('waiting', 'offered') AND EXISTS ("
            "SELECT 1 FROM waitlist_entry k WHERE k.event = waitlist_entry.event AND k.email = waitlist_entry.email"
            " AND k.status IN ('waiting', 'offered') AND k.id <> waitlist_entry.id"
            " AND (CASE WHEN k.status = 'offered' THEN 1 ELSE 0 END"
            " > CASE WHEN waitlist_entry.status = 'offered' THEN 1 ELSE 0 END"
            " OR (k.status = waitlist_entry.status AND k.id < waitlist_entry.id)))")
        await engine.run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS waitlist_entry_active_uq ON waitlist_entry (event, email) "
            "WHERE status IN ('waiting', 'offered')")

    async def drop_unique_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS waitlist_entry_active_uq")

    manager.add_raw(create_unique_index)
    manager.add_raw_backwards(drop_unique_index)
    return manager

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T04:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "events: one personal-agenda row per person and session (a double click added two)"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def create_unique_index():
        engine = engine_finder()
        await engine.run_ddl('DELETE FROM agenda_item WHERE id NOT IN '
                             '(SELECT MIN(id) FROM agenda_item GROUP BY "user", session)')
        await engine.run_ddl('CREATE UNIQUE INDEX IF NOT EXISTS agenda_item_user_session_uq '
                             'ON agenda_item ("user", session)')

    async def drop_unique_index():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS agenda_item_user_session_uq")

    manager.add_raw(create_unique_index)
    manager.add_raw_backwards(drop_unique_index)
    return manager

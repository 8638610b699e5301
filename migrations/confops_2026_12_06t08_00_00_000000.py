from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T08:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = ("registrations by event and name: the staff lists, the CME learners and the exports read them a page "
               "or a chunk at a time in this order (issue 29)")
NAME = "registration_attendee_event_name_idx"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def create_index():
        await engine_finder().run_ddl(
            f"CREATE INDEX IF NOT EXISTS {NAME} ON registration_attendee (event, last_name, first_name, id)")

    async def drop_index():
        await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {NAME}")

    manager.add_raw(create_index)
    manager.add_raw_backwards(drop_index)
    return manager

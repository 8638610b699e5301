from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T07:50:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "series and attendance: one reminder and one attendance row per session and attendee"
INDEXES = (("series_meeting_reminder_uq", "series_meeting_reminder"), ("attendance_session_uq", "attendance_session"))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def create_unique_indexes():
        for name, table in INDEXES:
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} (session, attendee)")

    async def drop_unique_indexes():
        for name, _ in INDEXES:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_unique_indexes)
    manager.add_raw_backwards(drop_unique_indexes)
    return manager

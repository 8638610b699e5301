from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T16:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "foundation: composite unique indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    # Composite uniqueness as unique indexes: SQLite cannot ALTER TABLE … ADD CONSTRAINT, and
    # CREATE UNIQUE INDEX means the same on both engines.
    unique_indexes = {
        "room_event_name_uq": ("room", "event, name"),
        "track_event_name_uq": ("track", "event, name"),
        "role_grant_user_org_role_uq": ("role_grant", '"user", organizer, role'),
        "session_speaker_session_speaker_role_uq": ("session_speaker", "session, speaker, role"),
    }

    async def create_unique_indexes():
        for name, (table, columns) in unique_indexes.items():
            await engine_finder().run_ddl(f"CREATE UNIQUE INDEX IF NOT EXISTS {name} ON {table} ({columns})")

    async def drop_unique_indexes():
        for name in unique_indexes:
            await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {name}")

    manager.add_raw(create_unique_indexes)
    manager.add_raw_backwards(drop_unique_indexes)

    return manager

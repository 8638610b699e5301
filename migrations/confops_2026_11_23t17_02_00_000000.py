from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T17:02:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "speakers: composite unique indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    unique_indexes = {
        "speaker_invitation_session_speaker_uq": ("speaker_invitation", "session_speaker"),
        "agenda_item_user_session_uq": ("agenda_item", '"user", session'),
        "schedule_version_event_number_uq": ("schedule_version", "event, number"),
        "speaker_organizer_email_uq": ("speaker", "organizer, email"),
        "event_planner_event_speaker_uq": ("event_planner", "event, speaker"),
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

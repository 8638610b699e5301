from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T16:49:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration: composite unique indexes"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    unique_indexes = {
        "registration_category_event_code_uq": ("registration_category", "event, code"),
        "registration_addon_event_code_uq": ("registration_addon", "event, code"),
        "discount_code_event_code_uq": ("discount_code", "event, code"),
        "registration_question_event_key_uq": ("registration_question", "event, key"),
        "attendee_add_on_attendee_addon_uq": ("attendee_add_on", "attendee, addon"),
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

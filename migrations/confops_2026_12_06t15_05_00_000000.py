"""The accessibility follow-up list read in its own order from a partial index: only the active
registrations that asked for support, by (event, followed up, last name, id), so its page and
its bounded count read those rows, not every registration of the event."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T15:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "partial index for the accessibility follow-up list"
INDEX = "registration_attendee_followup_idx"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON registration_attendee "
            "(event, accessibility_followed_up, last_name, id) WHERE status = 'active' AND accessibility <> ''")

    async def drop():
        await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {INDEX}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager

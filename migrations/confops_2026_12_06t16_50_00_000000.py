"""Registrations by (event, e-mail, id): whether a registration is the first confirmed one of its
e-mail (the badge list: one badge per person) is a lookup in this index, which stops at the
earlier registrations of that e-mail, rather than a read of the event's registrations (SQLite
read every earlier registration of the event for each one) or of all with that e-mail."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T16:50:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registrations by event, e-mail and id: the badge list's first registration of an e-mail"
INDEX = "registration_attendee_event_email_idx"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def create():
        await engine_finder().run_ddl(f"CREATE INDEX IF NOT EXISTS {INDEX} ON registration_attendee (event, email, id)")

    async def drop():
        await engine_finder().run_ddl(f"DROP INDEX IF EXISTS {INDEX}")

    manager.add_raw(create)
    manager.add_raw_backwards(drop)
    return manager

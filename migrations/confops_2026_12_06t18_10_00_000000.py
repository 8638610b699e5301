"""A calendar feed for every person whose agenda has sessions: the feed's token is made when a
person adds a first session, and the agenda page only reads it, so anyone who added sessions
while the page made it is given theirs now. Tokens are URL-safe base64, written as they are."""

import secrets
from datetime import UTC, datetime

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T18:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "a calendar feed for every person with sessions on their agenda"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def backfill():
        engine = engine_finder()
        people = await engine.run_ddl(
            'SELECT DISTINCT a."user" AS person FROM agenda_item a '
            'WHERE NOT EXISTS (SELECT 1 FROM calendar_feed f WHERE f."user" = a."user")')
        now = datetime.now(UTC).isoformat()
        for row in people or []:
            await engine.run_ddl(f"""INSERT INTO calendar_feed ("user", token, created_at) """
                                 f"""VALUES ({int(row["person"])}, '{secrets.token_urlsafe(32)}', '{now}')""")

    manager.add_raw(backfill)
    return manager

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-11-23T17:14:30:000000"
VERSION = "1.38.0"
DESCRIPTION = "payments: invoice numbers unique per organizer"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def create_unique_indexes():
        await engine_finder().run_ddl(
            "CREATE UNIQUE INDEX IF NOT EXISTS invoice_organizer_number_uq ON invoice (organizer, number)")

    async def drop_unique_indexes():
        await engine_finder().run_ddl("DROP INDEX IF EXISTS invoice_organizer_number_uq")

    manager.add_raw(create_unique_indexes)
    manager.add_raw_backwards(drop_unique_indexes)

    return manager

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-01T05:48:52:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration: early-bird claims start from the places already sold"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)

    async def count_early_bird_claims_so_far():
        # Before early_claimed the "first N" rule counted every place sold; start from that, so
        # an event already past its N does not reopen its early-bird price. (A migration of its
        # own: Piccolo runs raw steps before the column changes of the same migration.)
        await engine_finder().run_ddl("UPDATE event_sales SET early_claimed = sold")

    manager.add_raw(count_early_bird_claims_so_far)
    return manager

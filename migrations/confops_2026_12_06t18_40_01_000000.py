"""A mark written notes its learner to be recounted (cme/tallies.py `attended_triggers`) instead
of recounting them in the scan's transaction: the door's scans of an event with CME cost one
row more, not the credit rule's recount."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T18:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "a mark written notes its learner to be recounted"


async def _install() -> None:
    from confops.cme import tallies
    from confops.core.triggers import install

    engine = engine_finder()
    await install(engine, tallies.attended_triggers(engine.engine_type))


async def _keep() -> None:
    """Going back leaves the trigger: the one it replaced is no longer written anywhere."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    manager.add_raw(_install)
    manager.add_raw_backwards(_keep)
    return manager

"""The triggers that keep personal agenda picks counted per session (events/tallies.py), and the
counts of the events that already have picks, from their rows."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T17:40:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "triggers keeping personal agenda picks counted, and the counts of existing events"


async def _install() -> None:
    from confops.core.triggers import install
    from confops.events import tallies
    from confops.events.tables import Event

    engine = engine_finder()
    await install(engine, tallies.triggers(engine.engine_type))
    for event in await Event.raw("SELECT id FROM event ORDER BY id"):
        await tallies.rebuild(event["id"])


async def _remove() -> None:
    from confops.core.triggers import remove
    from confops.events import tallies

    engine = engine_finder()
    await remove(engine, tallies.triggers(engine.engine_type))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    manager.add_raw(_install)
    manager.add_raw_backwards(_remove)
    return manager

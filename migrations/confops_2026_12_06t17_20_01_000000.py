"""The triggers that keep attendance recorded counted (cme/tallies.py `attended_triggers`), and
the counts of the events that already have marks, from their rows."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T17:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "triggers keeping attendance recorded counted, and the counts of existing events"


async def _install() -> None:
    from confops.cme import tallies
    from confops.core.triggers import install
    from confops.events.tables import Event

    engine = engine_finder()
    await install(engine, tallies.attended_triggers(engine.engine_type))
    for event in await Event.raw("SELECT id FROM event ORDER BY id"):
        await tallies.rebuild_learners(event["id"])
        await tallies.rebuild(event["id"])


async def _remove() -> None:
    from confops.cme import tallies
    from confops.core.triggers import remove

    engine = engine_finder()
    await remove(engine, tallies.attended_triggers(engine.engine_type))
    await engine.run_ddl("DELETE FROM cme_tally WHERE kind = 'attended'")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    manager.add_raw(_install)
    manager.add_raw_backwards(_remove)
    return manager

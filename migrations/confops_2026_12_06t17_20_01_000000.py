"""The triggers that keep attendance recorded counted (cme/tallies.py `attended_triggers`) and
check-ins counted per list and slot (checkin/tallies.py), and the counts of the events that
already have marks and scans, from their rows."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T17:20:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "triggers keeping attendance recorded and check-ins counted, and the counts of existing events"


def _triggers(engine_type: str) -> list:
    from confops.checkin import tallies as checkins
    from confops.cme import tallies as cme

    return [*cme.attended_triggers(engine_type), *checkins.triggers(engine_type)]


async def _install() -> None:
    from confops.checkin import tallies as checkins
    from confops.cme import tallies as cme
    from confops.core.triggers import install
    from confops.events.tables import Event

    engine = engine_finder()
    await install(engine, _triggers(engine.engine_type))
    for event in await Event.raw("SELECT id FROM event ORDER BY id"):
        await cme.rebuild_learners(event["id"])
        await cme.rebuild(event["id"])
        await checkins.rebuild(event["id"])


async def _remove() -> None:
    from confops.core.triggers import remove

    engine = engine_finder()
    await remove(engine, _triggers(engine.engine_type))
    await engine.run_ddl("DELETE FROM cme_tally WHERE kind = 'attended'")


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    manager.add_raw(_install)
    manager.add_raw_backwards(_remove)
    return manager

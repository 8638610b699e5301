"""Running tallies for the dashboard, the payments page and the CME pages (issue 29): the
triggers that keep them on both engines (registration/, payments/ and cme/tallies.py), and
the tallies of the events that already have registrations, money and claims, from their
rows. (Piccolo runs a migration's raw steps before its new tables, hence a migration of its
own.)"""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T13:53:15:000000"
VERSION = "1.38.0"
DESCRIPTION = "triggers keeping the attendee, money and CME tallies, and the tallies of existing events"


def _triggers(engine_type: str) -> list:
    from confops.cme import tallies as cme
    from confops.payments import tallies as money
    from confops.registration import tallies as people

    return [*people.triggers(engine_type), *money.triggers(engine_type), *cme.triggers(engine_type)]


async def _install() -> None:
    from confops.cme import tallies as cme
    from confops.core.triggers import install
    from confops.events.tables import Event
    from confops.payments import tallies as money
    from confops.registration import tallies as people

    engine = engine_finder()
    await install(engine, _triggers(engine.engine_type))
    for event in await Event.raw("SELECT id FROM event ORDER BY id"):
        await people.rebuild(event["id"])
        await money.rebuild(event["id"])
        await cme.rebuild(event["id"])


async def _remove() -> None:
    from confops.core.triggers import remove

    engine = engine_finder()
    await remove(engine, _triggers(engine.engine_type))


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    manager.add_raw(_install)
    manager.add_raw_backwards(_remove)
    return manager

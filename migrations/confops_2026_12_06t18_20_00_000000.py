"""The triggers that keep attendance recorded counted (cme/tallies.py `attended_triggers`) as
the credit rule chooses its evidence (cme/recorded.py): each mark written recounts its learner,
as a later correction or roll call overrides what came before. The counts of events that
already have marks are recounted by that rule."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder

ID = "2026-12-06T18:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "attendance recorded counted by the credit rule's choice of evidence"


async def _install() -> None:
    from confops.cme import tallies
    from confops.core.triggers import install
    from confops.events.tables import Event

    engine = engine_finder()
    await install(engine, tallies.attended_triggers(engine.engine_type))
    for event in await Event.raw("SELECT id FROM event ORDER BY id"):
        await tallies.rebuild_learners(event["id"])
        await tallies.rebuild(event["id"])


async def _keep() -> None:
    """Going back leaves these triggers: the ones this replaced are no longer written anywhere,
    and the migration before removes them by name."""


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    manager.add_raw(_install)
    manager.add_raw_backwards(_keep)
    return manager

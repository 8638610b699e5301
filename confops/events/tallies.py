"""Personal agenda picks counted as they are made, per session (`AgendaTally` rows per event and
session), so the dashboard's session fill reads one row per session, not every pick of every
attendee's agenda.

The database keeps them (core/triggers.py): every insert, delete or move of a pick appends +1
or -1 for its session in the same transaction, whatever code writes it (the agenda page, /admin,
a session deleted with its picks). Nothing is read under a lock: a pick's difference depends on
its own row alone. The worker folds the rows into one per key each minute (jobs.fold_tallies),
as registration/tallies.py says; a read sums them, folded or not. `differences` (`confops
check`) compares the sums with the picks.
"""

from __future__ import annotations

from confops.core.triggers import Trigger, disagreements, fold_tally
from confops.events.tables import AgendaTally


def _pick(row: str, sign: str) -> str:
    return (f"INSERT INTO agenda_tally (event, session, n) SELECT s.event, {row}.session, {sign} "
            f"FROM program_session s WHERE s.id = {row}.session")


def triggers(engine_type: str) -> list[Trigger]:
    return [
        Trigger("agenda_tally_insert", "agenda_item", "INSERT", (_pick("NEW", "1"),)),
        Trigger("agenda_tally_delete", "agenda_item", "DELETE", (_pick("OLD", "-1"),)),
        Trigger("agenda_tally_update", "agenda_item", "UPDATE OF session", (_pick("OLD", "-1"), _pick("NEW", "1")),
                when="OLD.session {ne} NEW.session"),
    ]


async def picks(event_id: int) -> dict[int, int]:
    """Picks per session of the event: the sums of its rows, folded or not."""
    rows = await AgendaTally.raw("SELECT session, SUM(n) AS n FROM agenda_tally WHERE event = {} GROUP BY session",
                                 event_id)
    return {r["session"]: int(r["n"]) for r in rows if r["n"]}


async def fold(event_id: int) -> None:
    await fold_tally(AgendaTally, event_id, ("session",), ("n",))


async def from_rows(event_id: int) -> dict[int, int]:
    rows = await AgendaTally.raw("SELECT a.session, COUNT(*) AS n FROM agenda_item a JOIN program_session s "
                                 "ON s.id = a.session WHERE s.event = {} GROUP BY a.session", event_id)
    return {r["session"]: int(r["n"]) for r in rows}


async def differences(event_id: int) -> list[tuple[str, int, int]]:
    return disagreements(await picks(event_id), await from_rows(event_id),
                         lambda session: f"agenda picks session {session}")


async def rebuild(event_id: int) -> None:
    await AgendaTally.delete().where(AgendaTally.event == event_id)
    rows = [AgendaTally(event=event_id, session=session, n=n) for session, n in (await from_rows(event_id)).items()]
    if rows:
        await AgendaTally.insert(*rows)

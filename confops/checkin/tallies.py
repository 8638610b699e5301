"""Check-ins counted as they happen, per list and 15-minute slot, so the dashboard's curves read
a few dozen rows whatever the number of scans (`CheckinTally` rows per event, list and slot).

The database keeps them (core/triggers.py): every insert, update or delete of a scan that is, or
was, an accepted "in" scan (not undone) appends -1 for where it was counted and +1 for where it
counts now, in the same transaction, whatever code writes it (a door, an offline upload, an
undo, /admin, a bulk insert). Nothing is read under a lock: a scan's difference depends on its
own row alone, so a door rush appends without waiting. The worker folds the rows into one per
key each minute (jobs.fold_tallies), as registration/tallies.py says; a read sums them, folded
or not. `differences` (`confops check`) compares the sums with the scans.
"""

from __future__ import annotations

from confops.checkin.tables import CheckinTally
from confops.core.time_buckets import bucket_sql
from confops.core.triggers import Trigger, disagreements, fold_tally

BUCKET_MINUTES = 15  # the tally's slot; a new length needs the tally rebuilt (`rebuild`)
Key = tuple[int, int]  # list, slot


def _counted(row: str, sign: str, engine_type: str) -> str:
    return ("INSERT INTO checkin_tally (event, checkin_list, slot, n) "
            f"SELECT l.event, {row}.checkin_list, {bucket_sql(f'{row}.scanned_at', BUCKET_MINUTES, engine_type)}, "
            f"{sign} FROM checkin_list l WHERE l.id = {row}.checkin_list AND {row}.undone_at IS NULL "
            f"AND {row}.direction = 'in'")


def triggers(engine_type: str) -> list[Trigger]:
    changed = " OR ".join(f"OLD.{c} {{ne}} NEW.{c}" for c in ("checkin_list", "scanned_at", "direction", "undone_at"))
    counts = "({0}.undone_at IS NULL AND {0}.direction = 'in')"
    return [
        Trigger("checkin_tally_insert", "checkin_scan", "INSERT", (_counted("NEW", "1", engine_type),),
                when=counts.format("NEW")),
        Trigger("checkin_tally_delete", "checkin_scan", "DELETE", (_counted("OLD", "-1", engine_type),),
                when=counts.format("OLD")),
        Trigger("checkin_tally_update", "checkin_scan", "UPDATE OF checkin_list, scanned_at, direction, undone_at",
                (_counted("OLD", "-1", engine_type), _counted("NEW", "1", engine_type)),
                when=f"({counts.format('OLD')} OR {counts.format('NEW')}) AND ({changed})"),
    ]


async def counts(event_id: int) -> dict[Key, int]:
    """Check-ins per (list, slot) of the event: the sums of its rows, folded or not."""
    rows = await CheckinTally.raw("SELECT checkin_list, slot, SUM(n) AS n FROM checkin_tally "
                                  "WHERE event = {} GROUP BY checkin_list, slot", event_id)
    return {(r["checkin_list"], int(r["slot"])): int(r["n"]) for r in rows if r["n"]}


async def fold(event_id: int) -> None:
    await fold_tally(CheckinTally, event_id, ("checkin_list", "slot"), ("n",))


async def from_rows(event_id: int) -> dict[Key, int]:
    """The same counts from the scans themselves (the check, and the migration)."""
    slot = bucket_sql("s.scanned_at", BUCKET_MINUTES)
    rows = await CheckinTally.raw(
        f"SELECT s.checkin_list, {slot} AS slot, COUNT(*) AS n FROM checkin_scan s "
        "JOIN checkin_list l ON l.id = s.checkin_list WHERE l.event = {} AND s.undone_at IS NULL "
        f"AND s.direction = 'in' GROUP BY s.checkin_list, {slot}", event_id)
    return {(r["checkin_list"], int(r["slot"])): int(r["n"]) for r in rows}


async def differences(event_id: int) -> list[tuple[str, int, int]]:
    return disagreements(await counts(event_id), await from_rows(event_id),
                         lambda key: f"check-ins list {key[0]} slot {key[1]}")


async def rebuild(event_id: int) -> None:
    await CheckinTally.delete().where(CheckinTally.event == event_id)
    rows = [CheckinTally(event=event_id, checkin_list=lst, slot=slot, n=n)
            for (lst, slot), n in (await from_rows(event_id)).items()]
    if rows:
        await CheckinTally.insert(*rows)

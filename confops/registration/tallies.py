"""Who is registered, counted as they register: `AttendeeTally` rows per event, order state,
category, profession and UTC day, for the dashboard (a GROUP BY over every registration
grows with the event).

The database keeps them (core/triggers.py): every insert, update or delete of an active
attendee, and every change of an order's status that moves its attendees between confirmed,
held (pending or awaiting payment) and other, appends +1/−1 rows in the same transaction. So
every write path (orders, payments, cancellations, expiry, transfers, /admin, bulk inserts)
keeps them, with no write path knowing. Appending rather than adding to one row per key
means two orders never wait for each other on a counter; an event's counts are the sums of
its rows, which the worker folds into one row per key each minute (jobs.fold_tallies), so a
read sums at most a minute's worth of rows beyond the keys, whatever the event's size; a read
never folds (reads write nothing), and unfolded rows sum the same. On PostgreSQL an attendee's trigger
reads its order's status under a share lock, so it counts after a concurrent change of that
status commits (and that change's trigger counted the attendees committed before it).
`differences` (`confops check`) compares the sums with the rows.
"""

from __future__ import annotations

from confops.core.triggers import Trigger, disagreements, fold_tally
from confops.db import current_engine
from confops.registration.tables import Attendee, AttendeeTally


def state_sql(status: str) -> str:
    return (f"(CASE {status} WHEN 'confirmed' THEN 'confirmed' WHEN 'pending' THEN 'held' "
            f"WHEN 'awaiting_payment' THEN 'held' ELSE 'other' END)")


def _day(column: str, engine_type: str) -> str:
    if engine_type == "postgres":
        return f"to_char(({column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD')"
    return f"date({column})"


_INSERT = "INSERT INTO attendee_tally (event, state, category, profession, day, n) "


def _one(row: str, sign: str, engine_type: str) -> str:
    """The row's attendee counted (`sign` 1) or uncounted (-1) in its order's current state."""
    return (_INSERT + f"SELECT {row}.event, {state_sql('o.status')}, {row}.category, {row}.profession, "
            f"{_day(f'{row}.created_at', engine_type)}, {sign} FROM registration_order o "
            f"WHERE o.id = {row}.\"order\" AND {row}.status = 'active'")


def _order_moved(status: str, sign: str, engine_type: str) -> str:
    """The order's active attendees counted (1) or uncounted (-1) in the state of `status`."""
    day = _day("a.created_at", engine_type)
    return (_INSERT + f"SELECT a.event, {state_sql(status)}, a.category, a.profession, {day}, {sign} * COUNT(*) "
            "FROM registration_attendee a WHERE a.\"order\" = NEW.id AND a.status = 'active' "
            f"GROUP BY a.event, a.category, a.profession, {day}")


def triggers(engine_type: str) -> list[Trigger]:
    lock = "PERFORM 1 FROM registration_order WHERE id = {}.\"order\" FOR SHARE"
    changed = " OR ".join(f"OLD.{c} {{ne}} NEW.{c}" for c in
                          ("status", "category", "profession", "created_at", '"order"', "event"))
    return [
        Trigger("attendee_tally_insert", "registration_attendee", "INSERT", (_one("NEW", "1", engine_type),),
                when="NEW.status = 'active'", locks=(lock.format("NEW"),)),
        Trigger("attendee_tally_delete", "registration_attendee", "DELETE", (_one("OLD", "-1", engine_type),),
                when="OLD.status = 'active'", locks=(lock.format("OLD"),)),
        Trigger("attendee_tally_update", "registration_attendee",
                'UPDATE OF status, category, profession, created_at, "order", event',
                (_one("OLD", "-1", engine_type), _one("NEW", "1", engine_type)),
                when=f"(OLD.status = 'active' OR NEW.status = 'active') AND ({changed})",
                locks=(lock.format("OLD"), lock.format("NEW"))),
        Trigger("attendee_tally_order", "registration_order", "UPDATE OF status",
                (_order_moved("OLD.status", "-1", engine_type), _order_moved("NEW.status", "1", engine_type)),
                when=f"{state_sql('OLD.status')} <> {state_sql('NEW.status')}"),
    ]


Key = tuple[str, int, str, str]  # state, category, profession, day


async def counts(event_id: int) -> dict[Key, int]:
    """The event's active registrations per (state, category, profession, day): the sums of
    the tally's rows, folded or not."""
    rows = await AttendeeTally.raw(
        "SELECT state, category, profession, day, SUM(n) AS n FROM attendee_tally "
        "WHERE event = {} GROUP BY state, category, profession, day", event_id)
    return {(r["state"], r["category"], r["profession"], str(r["day"])): int(r["n"]) for r in rows if r["n"]}


async def fold(event_id: int) -> None:
    await fold_tally(AttendeeTally, event_id, ("state", "category", "profession", "day"), ("n",))


async def from_rows(event_id: int) -> dict[Key, int]:
    """The same counts from the registrations themselves (the check, and the migration)."""
    day = _day("a.created_at", current_engine().engine_type)
    rows = await Attendee.raw(
        f"SELECT {state_sql('o.status')} AS state, a.category, a.profession, {day} AS day, COUNT(*) AS n "
        "FROM registration_attendee a JOIN registration_order o ON o.id = a.\"order\" "
        f"WHERE a.event = {{}} AND a.status = 'active' GROUP BY 1, 2, 3, 4", event_id)
    return {(r["state"], r["category"], r["profession"], str(r["day"])): r["n"] for r in rows}


async def differences(event_id: int) -> list[tuple[str, int, int]]:
    """(what, tally, rows) for every key where the tally and the registrations disagree."""
    return disagreements(await counts(event_id), await from_rows(event_id),
                         lambda key: f"registrations {'/'.join(map(str, key))}")


async def rebuild(event_id: int) -> None:
    """The event's tally from its rows (the migration: events registered before the triggers)."""
    await AttendeeTally.delete().where(AttendeeTally.event == event_id)
    kept = [AttendeeTally(event=event_id, state=s, category=c, profession=p, day=d, n=n)
            for (s, c, p, d), n in (await from_rows(event_id)).items()]
    if kept:
        await AttendeeTally.insert(*kept)

"""Row triggers written once for both engines: running tallies kept in the same transaction as
the writes they count, whichever code (or /admin, or a bulk insert) makes the write.

A trigger is a list of SQL statements that name the written row as NEW and OLD, as both
engines do. SQLite runs them as the trigger's body; PostgreSQL wraps them in a PL/pgSQL
function. `{lock}` statements are PostgreSQL's alone (SQLite has one writer at a time): they
take a row lock so that two transactions that count from the same rows (an order's payments,
an order's attendees) count one after the other, each from what the other committed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from confops.db import current_engine, is_sqlite, transaction


@dataclass(frozen=True)
class Trigger:
    name: str
    table: str
    event: str  # INSERT, DELETE, or UPDATE OF a, b
    statements: tuple[str, ...]
    when: str = ""  # a condition on NEW/OLD; `{ne}` is "is distinct from" on either engine
    locks: tuple[str, ...] = ()  # PostgreSQL only, run first

    def create(self, engine_type: str) -> list[str]:
        when = self.when.format(ne="IS DISTINCT FROM" if engine_type == "postgres" else "IS NOT")
        if engine_type == "postgres":
            body = "".join(f"  {s};\n" for s in (*self.locks, *self.statements))
            return [f"CREATE OR REPLACE FUNCTION {self.name}() RETURNS trigger LANGUAGE plpgsql AS $$\n"
                    f"BEGIN\n{body}  RETURN NULL;\nEND $$",
                    f"DROP TRIGGER IF EXISTS {self.name} ON {self.table}",
                    f"CREATE TRIGGER {self.name} AFTER {self.event} ON {self.table} FOR EACH ROW "
                    f"{f'WHEN ({when}) ' if when else ''}EXECUTE FUNCTION {self.name}()"]
        body = "".join(f"  {s};\n" for s in self.statements)
        return [f"DROP TRIGGER IF EXISTS {self.name}",
                f"CREATE TRIGGER {self.name} AFTER {self.event} ON {self.table} FOR EACH ROW "
                f"{f'WHEN {when} ' if when else ''}BEGIN\n{body}END"]

    def drop(self, engine_type: str) -> list[str]:
        if engine_type == "postgres":
            return [f"DROP TRIGGER IF EXISTS {self.name} ON {self.table}", f"DROP FUNCTION IF EXISTS {self.name}()"]
        return [f"DROP TRIGGER IF EXISTS {self.name}"]


async def install(engine, triggers: list[Trigger]) -> None:
    for trigger in triggers:
        for statement in trigger.create(engine.engine_type):
            await engine.run_ddl(statement)


async def remove(engine, triggers: list[Trigger]) -> None:
    for trigger in triggers:
        for statement in trigger.drop(engine.engine_type):
            await engine.run_ddl(statement)


async def fold_tally(table, event_id: int, keys: tuple[str, ...], sums: tuple[str, ...]) -> None:
    """A running tally's rows of one event (columns: event, `keys`, `sums`) folded into one row
    per key with the same sums; keys whose sums are all zero leave no row. On PostgreSQL one
    statement: rows appended meanwhile are not in its snapshot and stay; a second fold at the
    same moment waits for the first's deleted rows and finds them gone."""
    name = table._meta.tablename
    group = f" GROUP BY {', '.join(keys)}" if keys else ""
    summed = ", ".join(f"SUM({c}) AS {c}" for c in sums)
    if not is_sqlite(current_engine()):
        nonzero = " OR ".join(f"SUM({c}) <> 0" for c in sums)
        await table.raw(
            f"WITH gone AS (DELETE FROM {name} WHERE event = {{}} RETURNING {', '.join((*keys, *sums))}) "
            f"INSERT INTO {name} ({', '.join(('event', *keys, *sums))}) "
            f"SELECT {', '.join(('{}', *keys))}, {', '.join(f'SUM({c})' for c in sums)} FROM gone{group} "
            f"HAVING {nonzero}", event_id, event_id)
        return
    async with transaction():
        rows = await table.raw(f"SELECT {', '.join((*keys, summed))} FROM {name} WHERE event = {{}}{group}", event_id)
        await table.delete().where(table.event == event_id)
        kept = [table(event=event_id, **row) for row in rows if any(row[c] for c in sums)]
        if kept:
            await table.insert(*kept)


def disagreements(kept: Mapping[Hashable, int], rows: Mapping[Hashable, int],
                  what: Callable[[Hashable], str]) -> list[tuple[str, int, int]]:
    """(what, tally, rows) for every key where a running count and its recount from the rows
    disagree (`confops check`); a key missing on one side counts nought there."""
    kept, rows = Counter(kept), Counter(rows)
    return [(what(key), kept[key], rows[key]) for key in sorted(set(kept) | set(rows), key=str)
            if kept[key] != rows[key]]

"""The database engine, chosen by URL: SQLite embedded by default, PostgreSQL in production."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
from collections.abc import AsyncIterator
from pathlib import Path

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType
from piccolo.table import Table

from confops.core.per_loop import PerLoop

SQLITE_PREFIX = "sqlite:///"


def make_engine(url: str) -> Engine:
    if url.startswith(SQLITE_PREFIX):
        path = Path(url[len(SQLITE_PREFIX):])
        path.parent.mkdir(parents=True, exist_ok=True)
        # A generous busy timeout: concurrent writers wait for the lock instead of failing.
        return SQLiteEngine(path=str(path), timeout=30)
    if url.startswith(("postgresql://", "postgres://")):
        # JIT compilation off: the staff lists' queries over 20,000 rows cross its cost threshold,
        # and compiling took longer than running them (figures in bench/README.md).
        return PostgresEngine(config={"dsn": url, "server_settings": {"jit": "off"}})
    raise ValueError(f"unsupported database URL: {url!r}")


def is_sqlite(engine: Engine) -> bool:
    return engine.engine_type == "sqlite"


def all_tables() -> list:
    from confops.piccolo_app import APP_CONFIG

    return list(APP_CONFIG.table_classes)


def current_engine() -> Engine:
    from confops import piccolo_conf

    return piccolo_conf.DB


def use_engine(engine: Engine) -> None:
    """Point Piccolo (migrations and every table) at this engine."""
    from confops import piccolo_conf

    piccolo_conf.DB = engine
    for table in all_tables():
        table._meta.db = engine
    from piccolo.apps.migrations.tables import Migration

    Migration._meta.db = engine


async def prepare(engine: Engine) -> None:
    """Per-database settings that persist: WAL lets readers and one writer work together."""
    if is_sqlite(engine):
        await engine.run_ddl("PRAGMA journal_mode=WAL")


def transaction(engine: Engine | None = None):
    """One transaction for a change that spans several rows.

    On SQLite the transaction takes the write lock at once (IMMEDIATE): a deferred one that
    reads before it writes fails with "database is locked" when another writer got there first.
    """
    engine = engine or current_engine()
    if is_sqlite(engine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


async def _release(connection) -> None:
    """What a connection needs before it goes back to the pool: only a rollback if a
    transaction was left open. asyncpg's default reset also unlocks advisory locks, closes
    cursors, unlistens and resets session settings — a round trip per request that confops
    never needs, since it uses none of those (measured: bench/registration_profile.py)."""
    if connection.is_in_transaction():
        await connection.execute("ROLLBACK")


@contextlib.asynccontextmanager
async def atomic(engine: Engine | None = None) -> AsyncIterator[None]:
    """A block whose changes happen together or not at all, wherever it runs.

    Outside a transaction it is `transaction()` (no extra query). Inside one (a service called
    from another's transaction, e.g. the walk-in desk placing an order) it is a SAVEPOINT: if
    the block fails, its own changes are rolled back and the outer transaction stays usable.
    Without it a failed statement aborts the whole PostgreSQL transaction ("current
    transaction is aborted"), and on SQLite the block's earlier changes would stay behind."""
    engine = engine or current_engine()
    outer = engine.current_transaction.get()
    if outer is None:
        async with transaction(engine):
            yield
        return
    savepoint = await outer.savepoint()
    try:
        yield
    except BaseException:
        await savepoint.rollback_to()
        raise
    await savepoint.release()


class _Gates:
    """One event loop's `hot_rows` gates, and how many blocks are in or waiting at any of them."""

    def __init__(self) -> None:
        self.semaphores: dict[str, asyncio.Semaphore] = {}
        self.busy = 0
        self.idle = asyncio.Event()
        self.idle.set()


_GATES = PerLoop(_Gates)


@contextlib.asynccontextmanager
async def hot_rows(name: str, writers: int, engine: Engine | None = None) -> AsyncIterator[None]:
    """At most `writers` blocks named `name` at once in this process; the rest queue here,
    first come first served, holding no database lock and no connection.

    For transactions that all update the same few rows (an event's sold counter in a
    registration rush): each holds the row locks from its update to its commit, and with many
    in flight every commit's round trip waits behind the whole event loop, so the rows pass
    from one to the next slowly and latency piles up. A short queue in the process gets more
    through (bench/registration_rush.py; figures in bench/README.md).
    Inside a caller's transaction it does not wait (the caller may hold the very rows the
    gate's holders are waiting for)."""
    engine = engine or current_engine()
    if engine.current_transaction.get() is not None:
        yield
        return
    gates = _GATES.get()
    gate = gates.semaphores.get(name)
    if gate is None:
        gate = gates.semaphores[name] = asyncio.Semaphore(writers)
    gates.busy += 1
    gates.idle.clear()
    try:
        async with gate:
            yield
    finally:
        gates.busy -= 1
        if not gates.busy:
            gates.idle.set()


async def yield_to_hot_rows(at_most: float, settle: float = 0.05) -> float:
    """Background work (sending mail) steps aside while this process places orders in a rush:
    it waits until no block has been in or waiting at a `hot_rows` gate for `settle` seconds,
    for at most `at_most` seconds; returns the seconds waited. The work waits, it is never
    dropped."""
    loop = asyncio.get_running_loop()
    gates = _GATES.get()
    start = loop.time()
    while gates.busy and (left := at_most - (loop.time() - start)) > 0:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(gates.idle.wait(), timeout=left)
        await asyncio.sleep(settle)  # between two orders of a rush the gate is empty for an instant
    return loop.time() - start


@contextlib.asynccontextmanager
async def connection_pool(engine: Engine, size: int = 10) -> AsyncIterator[None]:
    if isinstance(engine, PostgresEngine):
        # min_size=0: no connection at start-up, so the app starts (and /health can say so)
        # while the database is down, and the pool fills once it is back.
        await engine.start_connection_pool(min_size=0, max_size=size, reset=_release)
        try:
            yield
        finally:
            await engine.close_connection_pool()
    else:
        yield


@functools.lru_cache(maxsize=256)  # one per statement shape (an order of 1, 2, … people)
def _numbered(template: str) -> str:
    """A Piccolo template's "{}" placeholders as PostgreSQL's $1, $2, …"""
    pieces = template.split("{}")
    return "".join(piece + (f"${i}" if i < len(pieces) else "") for i, piece in enumerate(pieces, 1))


def readers_may_share(table: type[Table]) -> bool:
    """PostgreSQL outside a transaction: a read on any pooled connection sees what the caller
    would, so callers in a process may share one (inside a transaction a read must use the
    transaction's; SQLite has one writer and nothing to gain)."""
    engine = table._meta.db
    return not is_sqlite(engine) and engine.current_transaction.get() is None


async def raw(table: type[Table], template: str, *args) -> list[dict]:
    """`table.raw(template, *args)`, for the hot paths' hand-written statements (an order, a
    scan). On PostgreSQL with a pool and no transaction open it goes straight to asyncpg:
    Piccolo's query building looks at every value (an order's statement has over 40), which
    cost more CPU than the statement's round trip (measured with bench/registration_profile.py).
    Anywhere else (SQLite, inside a transaction, no pool yet) Piccolo runs it as usual."""
    engine = table._meta.db
    pool = getattr(engine, "pool", None)
    if pool is None or engine.current_transaction.get() is not None:
        return await table.raw(template, *args)
    return [dict(row) for row in await pool.fetch(_numbered(template), *args)]


async def insert_or_ignore(row: Table) -> int | None:
    """Insert `row` unless a unique index already holds its key: the new id, or None.

    The database decides (ON CONFLICT DO NOTHING, both engines), not a query first: two
    requests adding the same thing at once would both pass an existence check, and the second
    insert would fail with a 500."""
    table = type(row)
    made = await table.insert(row).on_conflict(action="DO NOTHING").returning(table.id)
    return made[0]["id"] if made else None


async def insert_or_get(row: Table, same) -> tuple[int, bool]:
    """The id of `row`, inserted now (True) or already there under the unique key that the
    `same` condition selects (False); see insert_or_ignore."""
    made = await insert_or_ignore(row)
    if made is not None:
        return made, True
    table = type(row)
    return (await table.select(table.id).where(same).first())["id"], False


async def upsert(row: Table, key, columns) -> None:
    """Insert `row`, or set `columns` to its values on the row already under its unique `key`
    (a column, or a tuple of them): ON CONFLICT DO UPDATE on both engines, so two saves at once
    both land on the one row instead of the second insert failing."""
    await type(row).insert(row).on_conflict(target=key, action="DO UPDATE", values=list(columns))


async def ping(engine: Engine | None = None) -> bool:
    engine = engine or current_engine()
    try:
        await engine.run_ddl("SELECT 1")
    except Exception:  # noqa: BLE001 - /health reports any failure as "unreachable"
        return False
    return True


MIGRATE_LOCK = 727_001  # pg_advisory_lock key of `confops migrate` (any constant no other code uses)


@contextlib.asynccontextmanager
async def migration_lock(engine: Engine) -> AsyncIterator[None]:
    """One migration run at a time per database, across hosts: a deploy that starts every
    host's `confops migrate` at once sees one apply the migrations and the others wait, then
    find nothing to do (without it, one failed on a unique violation). PostgreSQL: a
    session advisory lock on a connection of its own, released if the process dies.
    SQLite: an exclusive lock on a file beside the database (one host by definition)."""
    if isinstance(engine, PostgresEngine):
        import asyncpg

        conn = await asyncpg.connect(engine.config["dsn"])
        try:
            await conn.execute("SELECT pg_advisory_lock($1)", MIGRATE_LOCK)
            try:
                yield
            finally:
                await conn.execute("SELECT pg_advisory_unlock($1)", MIGRATE_LOCK)
        finally:
            await conn.close()
        return
    import fcntl
    import os

    fd = os.open(f"{engine.path}.migrate-lock", os.O_CREAT | os.O_RDWR, 0o600)
    try:
        await asyncio.to_thread(fcntl.flock, fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


async def _applied() -> int:
    from piccolo.apps.migrations.tables import Migration

    if not await Migration.table_exists():
        return 0
    return await Migration.count().where(Migration.app_name == "confops")


async def migrate(engine: Engine) -> tuple[int, int]:
    """Apply every pending migration to this engine's database (both engines, one sequence),
    one run at a time (migration_lock). Returns (applied now, applied in all).

    Piccolo's own progress lines are kept out of the output: on a fresh database they said
    "21 migrations already complete" and then "21 migrations not yet run"."""
    from piccolo.apps.migrations.commands.forwards import run_forwards

    use_engine(engine)
    async with migration_lock(engine):
        await prepare(engine)
        before = await _applied()
        with contextlib.redirect_stdout(io.StringIO()):
            result = await run_forwards(app_name="confops")
        after = await _applied()
    if not result.success:
        raise RuntimeError(f"migrations failed: {result.message}")
    return after - before, after

"""What asyncpg sends to PostgreSQL while a test runs: for tests that count round trips or look
at a statement's text and parameters."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator


@contextlib.contextmanager
def statements_seen() -> Iterator[list[tuple[str, tuple]]]:
    """The statements sent meanwhile with their parameters, on any connection (pool or
    transaction), as (text, parameters) in the order sent: fetch, fetchrow, fetchval and execute
    with arguments. An execute without arguments (BEGIN, COMMIT) goes by the simple protocol and
    is not seen."""
    from asyncpg.connection import Connection

    seen: list[tuple[str, tuple]] = []
    original = Connection._execute

    async def keeping(self, query, args, *rest, **kwargs):
        seen.append((query, tuple(args)))
        return await original(self, query, args, *rest, **kwargs)

    Connection._execute = keeping
    try:
        yield seen
    finally:
        Connection._execute = original


@contextlib.contextmanager
def statements_counted() -> Iterator[list[str]]:
    """The statements sent meanwhile, on either engine: asyncpg's (as `statements_seen`), or on
    SQLite each query Piccolo runs (its connection set-up PRAGMAs, BEGIN and COMMIT are not
    counted). For tests that check a page's statements do not grow with its rows."""
    from piccolo.engine.sqlite import SQLiteEngine

    seen: list[str] = []
    new, existing = SQLiteEngine._run_in_new_connection, SQLiteEngine._run_in_existing_connection

    async def in_new(self, query, args=None, *rest, **kwargs):
        seen.append(query)
        return await new(self, query, args, *rest, **kwargs)

    async def in_existing(self, connection, query, args=None, *rest, **kwargs):
        seen.append(query)
        return await existing(self, connection, query, args, *rest, **kwargs)

    SQLiteEngine._run_in_new_connection, SQLiteEngine._run_in_existing_connection = in_new, in_existing
    try:
        with statements_seen() as pg:
            yield seen
            seen.extend(text for text, _ in pg)
    finally:
        SQLiteEngine._run_in_new_connection, SQLiteEngine._run_in_existing_connection = new, existing

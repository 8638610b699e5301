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

"""Accounts for the people of an order: no password (they sign in with e-mailed links and find
their registrations at /account/registrations), one per e-mail address; an address that has an
account already keeps it as it is.

One INSERT written two ways: `ensure` inside the order's transaction, and `insert_sql` as a part
of registration's one-statement order (PostgreSQL), which knows its rows only as it runs. Either
way ON CONFLICT: concurrent orders with the same e-mail wait for each other instead of failing,
and the rows go in e-mail order, so two group orders never deadlock."""

from __future__ import annotations

from confops.accounts.tables import User
from confops.core import clock


def insert_sql(rows: str, now: str) -> str:
    """The INSERT of link-only accounts from `rows` (a SELECT of `email` and `name`; a name is
    cut to fit, and an empty one replaced by the address), created at `now` (its SQL)."""
    return (f"INSERT INTO {User._meta.tablename} (email, display_name, password_hash, active, created_at) "
            f"SELECT v.email, COALESCE(NULLIF(substr(v.name, 1, 200), ''), v.email), '', true, {now} "
            f"FROM ({rows}) AS v WHERE true ORDER BY v.email ON CONFLICT (email) DO NOTHING")


async def ensure(people: list[tuple[str, str]]) -> None:
    """An account for each (e-mail, name) that has none; inside the caller's transaction."""
    if not people:
        return
    rows = " UNION ALL ".join("SELECT {} AS email, {} AS name" for _ in people)
    await User.raw(insert_sql(rows, "{}"), clock.now(), *[value for person in people for value in person])

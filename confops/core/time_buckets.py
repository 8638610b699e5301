"""Time series summarised in the database: rows counted per UTC day or per bucket of N minutes,
so a chart has one point per bucket, never one per row, and the rows never leave the database.

SQLite and PostgreSQL spell "the day of" and "the 15-minute slot of" differently; the two
spellings live here, beside `bucket_start` (their Python form), and tests/core/test_time_buckets.py
checks that the database and Python put the same times in the same buckets on both engines.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from confops.db import current_engine, is_sqlite


def day_sql(column: str) -> str:
    """The UTC calendar day of a timestamptz column."""
    if is_sqlite(current_engine()):
        return f"date({column})"  # SQLite's date() reads the stored "+00:00" offset and answers in UTC
    return f"(({column}) AT TIME ZONE 'UTC')::date"


def bucket_sql(column: str, minutes: int, engine_type: str | None = None) -> str:
    """The number of the `minutes`-long slot (counted from the Unix epoch) a timestamp falls in;
    `engine_type` for a trigger written for an engine other than the current one's."""
    seconds = int(minutes) * 60
    if (engine_type or current_engine().engine_type) == "sqlite":
        return f"(CAST(strftime('%s', {column}) AS INTEGER) / {seconds})"
    return f"(FLOOR(EXTRACT(EPOCH FROM {column}) / {seconds})::bigint)"


def as_day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def bucket_start(slot: int, minutes: int) -> datetime:
    """When slot number `slot` of `bucket_sql` begins (aware, UTC)."""
    return datetime.fromtimestamp(int(slot) * int(minutes) * 60, tz=UTC)

"""Find a demo row by its natural key, or create it: what makes loading the demo idempotent."""

from __future__ import annotations

from piccolo.table import Table


async def ensure_row(table: type[Table], key: dict, values: dict | None = None) -> tuple[int, bool]:
    """Return (id, created). An existing row is left as it is, so staff edits survive a reload."""
    where = None
    for name, value in key.items():
        clause = getattr(table, name) == value
        where = clause if where is None else where & clause
    row = await table.select(table._meta.primary_key).where(where).first()
    if row:
        return row["id"], False
    obj = table(**key, **(values or {}))
    await obj.save()
    return obj.id, True

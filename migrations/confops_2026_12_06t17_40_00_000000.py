"""Personal agenda picks per session, counted for the dashboard (events/tallies.py): the table;
the next migration adds the triggers that keep it (Piccolo runs a migration's raw steps before
its new tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T17:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "personal agenda picks per session"


def _column(name: str, *, index: bool = False) -> dict:
    return {"table_class_name": "AgendaTally", "tablename": "agenda_tally", "column_name": name,
            "db_column_name": name, "column_class_name": "Integer", "column_class": Integer,
            "params": {"default": 0, "null": False, "primary_key": False, "unique": False, "index": index,
                       "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
            "schema": None}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    manager.add_table(class_name="AgendaTally", tablename="agenda_tally", schema=None, columns=None)
    manager.add_column(**_column("event", index=True))
    manager.add_column(**_column("session"))
    manager.add_column(**_column("n"))
    return manager

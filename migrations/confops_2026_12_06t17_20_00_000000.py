"""Attendance recorded, counted as it is written (cme/tallies.py): per learner, the marks that
are recorded attendance (a new table), and per event, the settled learners with any; the
triggers that keep both on both engines (the next migration: Piccolo runs a migration's raw
steps before its new tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T17:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "per learner count of the marks that are attendance recorded"


def _column(name: str, *, unique: bool = False, index: bool = False) -> dict:
    return {"table_class_name": "CmeLearnerAttendance", "tablename": "cme_learner_attendance", "column_name": name,
            "db_column_name": name, "column_class_name": "Integer", "column_class": Integer,
            "params": {"default": 0, "null": False, "primary_key": False, "unique": unique, "index": index,
                       "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
            "schema": None}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    manager.add_table(class_name="CmeLearnerAttendance", tablename="cme_learner_attendance", schema=None, columns=None)
    manager.add_column(**_column("attendee", unique=True))
    manager.add_column(**_column("event", index=True))
    manager.add_column(**_column("marks"))
    return manager

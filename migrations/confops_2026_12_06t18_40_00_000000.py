"""Learners whose attendance is to be recounted (cme/tallies.py `recount_pending`): the table;
the next migration has the marks' trigger note them here (Piccolo runs a migration's raw steps
before its new tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T18:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "learners whose attendance is to be recounted"


def _column(name: str) -> dict:
    return {"table_class_name": "CmeLearnerPending", "tablename": "cme_learner_pending", "column_name": name,
            "db_column_name": name, "column_class_name": "Integer", "column_class": Integer,
            "params": {"default": 0, "null": False, "primary_key": False, "unique": False, "index": True,
                       "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
            "schema": None}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    manager.add_table(class_name="CmeLearnerPending", tablename="cme_learner_pending", schema=None, columns=None)
    manager.add_column(**_column("attendee"))
    manager.add_column(**_column("event"))
    return manager

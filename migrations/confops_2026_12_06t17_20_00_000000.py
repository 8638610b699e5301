"""Running counts for the dashboard and the CME pages: per learner, the marks that are attendance
recorded (cme/tallies.py), and check-ins per list and 15-minute slot (checkin/tallies.py); the
next migration adds the triggers that keep them (Piccolo runs a migration's raw steps before
its new tables)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T17:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "per learner count of the marks that are attendance recorded; check-ins per list and slot"


def _column(table: str, tablename: str, name: str, *, unique: bool = False, index: bool = False) -> dict:
    return {"table_class_name": table, "tablename": tablename, "column_name": name, "db_column_name": name,
            "column_class_name": "Integer", "column_class": Integer,
            "params": {"default": 0, "null": False, "primary_key": False, "unique": unique, "index": index,
                       "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False},
            "schema": None}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    learners = ("CmeLearnerAttendance", "cme_learner_attendance")
    manager.add_table(class_name=learners[0], tablename=learners[1], schema=None, columns=None)
    manager.add_column(**_column(*learners, "attendee", unique=True))
    manager.add_column(**_column(*learners, "event", index=True))
    manager.add_column(**_column(*learners, "marks"))
    checkins = ("CheckinTally", "checkin_tally")
    manager.add_table(class_name=checkins[0], tablename=checkins[1], schema=None, columns=None)
    manager.add_column(**_column(*checkins, "event", index=True))
    manager.add_column(**_column(*checkins, "checkin_list"))
    manager.add_column(**_column(*checkins, "slot"))
    manager.add_column(**_column(*checkins, "n"))
    return manager

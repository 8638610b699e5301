from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T11:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "attendance: the board credit an attendance threshold gives, frozen on each certificate"

_PARAMS = {"default": "", "null": False, "primary_key": False, "unique": False, "index": False,
           "index_method": IndexMethod.btree, "choices": None, "db_column_name": None, "secret": False,
           "length": 200}


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    for class_name, table in (("AttendanceRule", "attendance_rule"), ("AttendanceCertificate", "attendance_certificate")):
        manager.add_column(table_class_name=class_name, tablename=table, column_name="board_credit",
                           db_column_name="board_credit", column_class_name="Varchar", column_class=Varchar,
                           params=dict(_PARAMS), schema=None)
    return manager

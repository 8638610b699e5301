from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T10:41:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "cme: per-event setting for how many minutes before a session's start a scan into it counts"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    manager.add_column(
        table_class_name="CmeActivity",
        tablename="cme_activity",
        column_name="scan_early_minutes",
        db_column_name="scan_early_minutes",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 15,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )
    return manager

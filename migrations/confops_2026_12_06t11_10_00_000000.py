from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Text
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T11:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "registration: folded copies of each registration's name for sorting and searching in SQL"


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="confops", description=DESCRIPTION)
    for name in ("name_key", "name_search", "search_text"):
        manager.add_column(
            table_class_name="Attendee",
            tablename="registration_attendee",
            column_name=name,
            db_column_name=name,
            column_class_name="Text",
            column_class=Text,
            params={
                "default": "",
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

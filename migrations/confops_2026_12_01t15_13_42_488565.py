from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey

ID = "2026-12-01T15:13:42:488565"
VERSION = "1.38.0"
DESCRIPTION = "registration: index the order, event and attendee columns that pages look rows up by"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="confops", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Order",
        tablename="registration_order",
        column_name="event",
        db_column_name="event",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Attendee",
        tablename="registration_attendee",
        column_name="order",
        db_column_name="order",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Attendee",
        tablename="registration_attendee",
        column_name="event",
        db_column_name="event",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Answer",
        tablename="registration_answer",
        column_name="attendee",
        db_column_name="attendee",
        params={"index": True},
        old_params={"index": False},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    return manager

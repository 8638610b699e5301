from enum import Enum

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Text
from piccolo.columns.column_types import Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-12-06T07:45:00:000000"
VERSION = "1.38.0"
DESCRIPTION = (
    "payments: terms by method, reminders, the payment method of an order"
)


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="confops", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="EventSales",
        tablename="event_sales",
        column_name="payment_instructions",
        db_column_name="payment_instructions",
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

    manager.add_column(
        table_class_name="EventSales",
        tablename="event_sales",
        column_name="payment_term_days",
        db_column_name="payment_term_days",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 14,
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

    manager.add_column(
        table_class_name="EventSales",
        tablename="event_sales",
        column_name="pre_event_days",
        db_column_name="pre_event_days",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 3,
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

    manager.add_column(
        table_class_name="EventSales",
        tablename="event_sales",
        column_name="reminder_days",
        db_column_name="reminder_days",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 40,
            "default": "7,2",
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

    manager.add_column(
        table_class_name="Order",
        tablename="registration_order",
        column_name="payment_method",
        db_column_name="payment_method",
        column_class_name="Varchar",
        column_class=Varchar,
        params={
            "length": 16,
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

    manager.alter_column(
        table_class_name="Attendee",
        tablename="registration_attendee",
        column_name="status",
        db_column_name="status",
        params={
            "choices": Enum(
                "AttendeeStatus",
                {
                    "active": "active",
                    "cancelled": "cancelled",
                    "transferred": "transferred",
                    "substituted": "substituted",
                    "expired": "expired",
                },
            )
        },
        old_params={
            "choices": Enum(
                "AttendeeStatus",
                {
                    "active": "active",
                    "cancelled": "cancelled",
                    "transferred": "transferred",
                    "substituted": "substituted",
                },
            )
        },
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager

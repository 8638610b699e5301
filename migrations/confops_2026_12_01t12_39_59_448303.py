from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import ForeignKey
from piccolo.columns.column_types import Integer
from piccolo.columns.column_types import Varchar

ID = "2026-12-01T12:39:59:448303"
VERSION = "1.38.0"
DESCRIPTION = "Drop the plain indexes that duplicate a unique constraint"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="confops", description=DESCRIPTION
    )

    manager.alter_column(
        table_class_name="Organizer",
        tablename="organizer",
        column_name="slug",
        db_column_name="slug",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Event",
        tablename="event",
        column_name="slug",
        db_column_name="slug",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="User",
        tablename="account_user",
        column_name="email",
        db_column_name="email",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="LoginLink",
        tablename="login_link",
        column_name="token_hash",
        db_column_name="token_hash",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="CalendarFeed",
        tablename="calendar_feed",
        column_name="token",
        db_column_name="token",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="EventSales",
        tablename="event_sales",
        column_name="event",
        db_column_name="event",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Order",
        tablename="registration_order",
        column_name="idempotency_key",
        db_column_name="idempotency_key",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Attendee",
        tablename="registration_attendee",
        column_name="checkin_code",
        db_column_name="checkin_code",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="WaitlistOffer",
        tablename="waitlist_offer",
        column_name="token_hash",
        db_column_name="token_hash",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="EventSigningKey",
        tablename="event_signing_key",
        column_name="event",
        db_column_name="event",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Payment",
        tablename="payment",
        column_name="provider_id",
        db_column_name="provider_id",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Refund",
        tablename="refund",
        column_name="provider_id",
        db_column_name="provider_id",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="WebhookEvent",
        tablename="webhook_event",
        column_name="event_id",
        db_column_name="event_id",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Dispute",
        tablename="dispute",
        column_name="provider_id",
        db_column_name="provider_id",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="InvoiceCounter",
        tablename="invoice_counter",
        column_name="organizer",
        db_column_name="organizer",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Invoice",
        tablename="invoice",
        column_name="order",
        db_column_name="order",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="CmeActivity",
        tablename="cme_activity",
        column_name="event",
        db_column_name="event",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="CmeSessionCredit",
        tablename="cme_session_credit",
        column_name="session",
        db_column_name="session",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="CmeClaim",
        tablename="cme_claim",
        column_name="attendee",
        db_column_name="attendee",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="Certificate",
        tablename="cme_certificate",
        column_name="serial",
        db_column_name="serial",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="CmeProfile",
        tablename="cme_profile",
        column_name="user",
        db_column_name="user",
        params={"index": False},
        old_params={"index": True},
        column_class=Integer,
        old_column_class=Integer,
        schema=None,
    )

    manager.alter_column(
        table_class_name="GroupSeries",
        tablename="group_series",
        column_name="event",
        db_column_name="event",
        params={"index": False},
        old_params={"index": True},
        column_class=ForeignKey,
        old_column_class=ForeignKey,
        schema=None,
    )

    manager.alter_column(
        table_class_name="ScannerDevice",
        tablename="scanner_device",
        column_name="token_hash",
        db_column_name="token_hash",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="CheckinScan",
        tablename="checkin_scan",
        column_name="nonce_key",
        db_column_name="nonce_key",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="CheckinScan",
        tablename="checkin_scan",
        column_name="once_key",
        db_column_name="once_key",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="CheckinConflict",
        tablename="checkin_conflict",
        column_name="nonce_key",
        db_column_name="nonce_key",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    manager.alter_column(
        table_class_name="MailingListMember",
        tablename="mailing_list_member",
        column_name="token",
        db_column_name="token",
        params={"index": False},
        old_params={"index": True},
        column_class=Varchar,
        old_column_class=Varchar,
        schema=None,
    )

    return manager

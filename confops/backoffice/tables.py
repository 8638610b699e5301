"""Back-office records: the audit log, the mailing list, bulk mailings and privacy requests."""

from enum import StrEnum

from piccolo.columns import JSON, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.accounts.tables import Organizer
from confops.events.tables import Event


class AuditEntry(Table):
    """One staff change: who, what, when, and the values before and after.

    The actor is a plain user id (not a foreign key) so the log outlives a deleted account.
    """

    actor_id = Integer(null=True, default=None, index=True)
    actor_email = Varchar(length=254)
    action = Varchar(length=80, index=True)
    entity = Varchar(length=80, index=True)
    entity_id = Varchar(length=80)
    before = JSON(null=True, default=None)
    after = JSON(null=True, default=None)
    at = Timestamptz(default=TimestamptzNow(), index=True)


class ListStatus(StrEnum):
    pending = "pending"            # asked to join, has not clicked the confirmation link yet
    subscribed = "subscribed"
    unsubscribed = "unsubscribed"


class MailingListMember(Table):
    organizer = ForeignKey(Organizer, on_delete=OnDelete.cascade, null=False)
    email = Varchar(length=254, index=True)
    name = Varchar(length=200)
    status = Varchar(length=16, choices=ListStatus, default=ListStatus.pending.value)
    token = Varchar(length=64, unique=True, help_text="Confirms and unsubscribes")
    created_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None)
    unsubscribed_at = Timestamptz(null=True, default=None)


class BulkMailing(Table):
    """What staff sent to whom (the filters and how many), for the record."""

    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    subject = Varchar(length=300)
    body = Text()
    filters = JSON()
    recipients = Integer(default=0)
    skipped_unsubscribed = Integer(default=0)
    sent_by = Integer(null=True, default=None)
    sent_at = Timestamptz(default=TimestamptzNow())


class PrivacyRequestStatus(StrEnum):
    open = "open"
    done = "done"
    declined = "declined"


class PrivacyRequest(Table):
    user_id = Integer(null=True, default=None, index=True)
    email = Varchar(length=254)
    kind = Varchar(length=20, default="deletion")
    message = Text()
    status = Varchar(length=16, choices=PrivacyRequestStatus, default=PrivacyRequestStatus.open.value)
    created_at = Timestamptz(default=TimestamptzNow())
    handled_at = Timestamptz(null=True, default=None)
    handled_by = Integer(null=True, default=None)
    outcome = Text()

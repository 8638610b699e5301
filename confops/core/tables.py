"""Cross-cutting tables: the transactional e-mail outbox."""

from enum import StrEnum

from piccolo.columns import Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table


class OutboxStatus(StrEnum):
    pending = "pending"
    sending = "sending"
    sent = "sent"
    failed = "failed"


class OutboxMessage(Table):
    """An e-mail written in the same transaction as the change it reports.

    The worker sends it later; if the change rolls back, the e-mail never existed.
    """

    dedupe_key = Varchar(length=200, null=True, default=None, unique=True)
    to_address = Varchar(length=254, index=True)
    subject = Varchar(length=300)
    payload = Text(help_text="JSON: text, html, reply_to, attachments (base64)")
    status = Varchar(length=10, choices=OutboxStatus, default=OutboxStatus.pending.value, index=True)
    attempts = Integer(default=0)
    next_attempt_at = Timestamptz(default=TimestamptzNow(), index=True)
    claimed_until = Timestamptz(null=True, default=None)
    last_error = Text()
    created_at = Timestamptz(default=TimestamptzNow())
    sent_at = Timestamptz(null=True, default=None)

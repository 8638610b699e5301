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


class JobState(Table):
    """One periodic job across the whole cluster: when it is next due, who holds its lease
    while it runs, and how its last run went (shown to admins at /staff/jobs).

    The lease is how a job runs once per period whatever the number of hosts and processes:
    a process runs a job only after a conditional UPDATE moved `lease_until` into the future
    for it (core/jobs.py), which one process at a time can do on either engine."""

    name = Varchar(length=100, unique=True)
    every_seconds = Integer(default=0)
    next_due_at = Timestamptz(default=TimestamptzNow())
    lease_owner = Varchar(length=200, default="")
    lease_until = Timestamptz(null=True, default=None)
    last_started_at = Timestamptz(null=True, default=None)
    last_finished_at = Timestamptz(null=True, default=None)
    last_duration_ms = Integer(default=0)
    last_outcome = Varchar(length=12, default="")  # ok, failed, interrupted
    last_handled = Integer(default=0)
    last_error = Text(default="")
    last_host = Varchar(length=200, default="")
    runs = Integer(default=0)
    failures = Integer(default=0)

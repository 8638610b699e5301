"""The background jobs every deployment runs, in-process or as `confops worker`."""

from __future__ import annotations

from functools import partial

from confops.accounts.service import purge_expired_login_links
from confops.core.mail import Mailer
from confops.core.outbox import deliver_due
from confops.core.worker import Job, Worker
from settings import Settings


def make_worker(settings: Settings, mailer: Mailer) -> Worker:
    return Worker([
        Job("send-mail", 2, partial(deliver_due, mailer)),
        Job("purge-expired-login-links", 3600, purge_expired_login_links),
    ])

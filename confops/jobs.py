"""The background jobs every deployment runs, in-process or as `confops worker`."""

from __future__ import annotations

from confops.accounts.service import purge_expired_login_links
from confops.core.mail import Mailer
from confops.core.worker import Job, Worker
from settings import Settings


def make_worker(settings: Settings, mailer: Mailer) -> Worker:
    return Worker([Job("purge-expired-login-links", 3600, purge_expired_login_links)])

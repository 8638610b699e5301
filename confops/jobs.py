"""The background jobs every deployment runs, in-process or as `confops worker`.

Each runs once per period across every host and process (core/worker.py: a lease in the
database), so adding a job is adding one line to the list below."""

from __future__ import annotations

from functools import partial

from confops.accounts import sessions, throttle
from confops.accounts.service import purge_expired_login_links
from confops.backoffice.privacy import purge_job
from confops.cme.issuer_keys import configure as configure_issuer
from confops.cme.tallies import recount_pending
from confops.core.mail import Mailer
from confops.core.outbox import deliver_due
from confops.core.worker import Job, Worker
from confops.payments.gateway import configure as configure_payments
from confops.payments.webhooks import process_pending
from confops.registration.config import configure
from confops.registration.holds import release_expired
from confops.registration.reminders import send_payment_reminders, send_pre_event_reminders
from confops.registration.tables import AttendeeTally
from confops.series.service import decide_due, send_reminders
from settings import Settings


async def fold_tallies(rows_per_event: int = 200) -> int:
    """Fold every event's running tallies that have piled up past `rows_per_event` rows
    (registration/, payments/, cme/, checkin/ and events/tallies.py): what a busy hour or a bulk import
    appended is folded here, never by a page view, which only sums the rows. Returns how many
    folds ran."""
    from confops.checkin import tallies as checkins
    from confops.cme import tallies as cme
    from confops.events import tallies as agendas
    from confops.payments import tallies as money
    from confops.registration import tallies as people

    folded = 0
    for table, fold in (("attendee_tally", people.fold), ("event_money", money.fold), ("cme_tally", cme.fold),
                        ("checkin_tally", checkins.fold), ("agenda_tally", agendas.fold)):
        piled = await AttendeeTally.raw(
            f"SELECT event FROM {table} GROUP BY event HAVING COUNT(*) > {{}}", rows_per_event)
        for row in piled:
            await fold(row["event"])
            folded += 1
    return folded


def make_worker(settings: Settings, mailer: Mailer) -> Worker:
    configure(base_url=settings.base_url, hold_minutes=settings.order_hold_minutes,
              offer_hours=settings.waitlist_offer_hours, secret=settings.secret_key,
              old_secrets=settings.old_secret_keys)
    configure_payments(settings)
    configure_issuer(base_url=settings.base_url, secret_key=settings.secret_key)
    return Worker([
        Job("release-expired-holds", 30, release_expired),
        Job("fold-tallies", 60, fold_tallies),
        Job("recount-cme-learners", 5, recount_pending),
        Job("payment-reminders", 900, send_payment_reminders),
        Job("pre-event-reminders", 3600, send_pre_event_reminders),
        Job("stripe-webhooks", 10, process_pending),
        Job("send-mail", 2, partial(deliver_due, mailer)),
        Job("purge-expired-login-links", 3600, purge_expired_login_links),
        Job("purge-ended-sessions", 3600, sessions.purge_expired),
        Job("purge-old-sign-in-counts", 3600, throttle.purge_expired),
        Job("series-go-no-go", 300, decide_due),
        Job("series-meeting-reminders", 300, send_reminders),
        Job("purge-personal-data", 24 * 3600, partial(purge_job, settings.purge_after_days)),
    ])

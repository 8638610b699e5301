"""Every kind of e-mail the system sends, as its reader sees it: the demo and a round of the
things that send mail (sign-in link, payment reminder, expiry, cancellation, transfer, waitlist
offer, pre-event reminder, CME revocation, bulk mail, mailing-list confirmation, event
cancellation) fill the outbox; each message is built as the worker builds it, and its HTML part
is shown in a real Chromium at 600 px with its inline images (logo, check-in QR): branded (the
shared layout), with a text part, no sideways scroll, no serious or critical axe-core finding.
Screenshots go to var/test-screenshots/mail-*.png."""

import base64
import re
from datetime import timedelta

import pytest

from confops.accounts.service import request_login_link
from confops.backoffice import bulkmail, mailing_list
from confops.cme import issuer_keys
from confops.cme.certificates import revoke_record
from confops.core import clock, outbox
from confops.core.mail import build_email
from confops.core.tables import OutboxMessage
from confops.demo.abs import load_demo
from confops.events.tables import Event
from confops.payments.event_cancellation import cancel_event
from confops.registration.config import configure
from confops.registration.emails import queue_transfer, queue_waitlist_offer, render_confirmation
from confops.registration.holds import release_expired
from confops.registration.order_decision import order_token
from confops.registration.payment_mail import render_acknowledgement, render_reminder
from confops.registration.reminders import render_pre_event
from confops.registration.selfservice import cancel_order
from confops.registration.tables import Attendee, Order
from tests.cme.support import evaluated_and_claimed
from tests.conftest import TEST_SECRET
from tests.support.looks import looks_at

pytestmark = pytest.mark.browser

SLUG = "abs-national-meeting"
BASE = "http://127.0.0.1:8000"


@pytest.fixture
def db(_databases):
    """SQLite alone: how a message looks does not depend on the engine."""
    from tests.conftest import _fresh

    return _fresh(_databases, "sqlite")


async def _fill_the_outbox() -> list:
    """One of every kind of mail, queued by the code that sends it in use; returns messages
    rendered directly where the worker renders them (the pre-event reminder)."""
    event = await Event.select().where(Event.slug == SLUG).first()
    await request_login_link("attendee@example.org", base_url=BASE, valid_minutes=15)
    revoked = await evaluated_and_claimed("morgan@example.org")
    await revoke_record(revoked, "The attendance record was wrong", actor_id=None)
    unpaid = await Order.select().where((Order.status == "awaiting_payment") & (Order.event == event["id"])).order_by(
        Order.id)
    rendered = [await render_acknowledgement(to=unpaid[0]["buyer_email"], order_id=unpaid[0]["id"],
                                             token=order_token(unpaid[0]["idempotency_key"])),
                await render_reminder(to=unpaid[0]["buyer_email"], order_id=unpaid[0]["id"], days=3)]
    await Order.update({Order.expires_at: clock.now() - timedelta(minutes=1)}).where(Order.id == unpaid[0]["id"])
    await release_expired(event["id"])
    confirmed = await Order.select().where((Order.status == "confirmed") & (Order.event == event["id"])
                                           & (Order.buyer_email != "morgan@example.org")).order_by(Order.id)
    await cancel_order(confirmed[0])
    old = await Attendee.select().where(Attendee.order == confirmed[1]["id"]).first()
    await queue_transfer(confirmed[1], old, {**old, "first_name": "Tess", "last_name": "Transfer",
                                             "email": "tess@example.org"}, 0)
    await queue_waitlist_offer({"email": "wanda@example.org", "name": "Wanda Waitlist", "event": event["id"]}, 1,
                               "offer-token", clock.now() + timedelta(hours=48))
    await bulkmail.send_test(event, "registrar@example.org", "Rita Registrar", "Parking at the venue",
                             "Dear {first_name},\n\nthe garage on Pacific Avenue is open from 7 am.\n\n"
                             "Directions: https://example.org/parking")
    await mailing_list.join("abs", "newsletter-reader@example.org", "Nora Reader")
    person = await Attendee.select(Attendee.id, Attendee.email).where(Attendee.order == confirmed[2]["id"]).first()
    rendered += [await render_pre_event(to=person["email"], attendee_id=person["id"]),
                 await render_confirmation(to=confirmed[2]["buyer_email"], order_id=confirmed[2]["id"],
                                           token=order_token(confirmed[2]["idempotency_key"]), attendee_id=None)]
    await cancel_event(event["id"], reason="The venue closed for repairs.", actor_id=None)  # last: it ends the rest
    return rendered


async def test_every_kind_of_mail_is_branded_and_fits_600_px(db, browser):
    configure(base_url=BASE, hold_minutes=30, offer_hours=48, secret=TEST_SECRET)
    issuer_keys.configure(base_url=BASE, secret_key=TEST_SECRET)
    await load_demo()
    rendered = await _fill_the_outbox()
    kinds: dict[str, object] = {}
    for row in await OutboxMessage.select().order_by(OutboxMessage.id):
        message = await outbox._load(row)  # as the worker loads (and renders) it
        if message is not None:
            kinds.setdefault(re.sub(r":.*|\[.*?\] ", "", message.subject).strip(), message)
    for message in rendered:
        kinds[message.subject.split(":")[0]] = message
    expected = {"Your sign-in link", "Registration received, payment due", "Your CME certificate was revoked",
                "Your unpaid registration has expired", "Registration cancelled", "Registration transferred",
                "A place is free for you", "Parking at the venue", "Please confirm", "Cancelled by the organizers",
                "See you soon", "Registration confirmed", "Reminder"}
    assert expected <= set(kinds), sorted(kinds)

    context, looks = await looks_at(browser, 600)
    for subject, message in kinds.items():
        email = build_email(message, "ABS <registration@example.org>")
        text = email.get_body(("plain",))
        assert text is not None and text.get_content().strip(), subject
        html = email.get_body(("html",)).get_content()
        assert "cid:logo@confops" in html and "#1f5f63" in html, f"{subject}: not in the shared layout"
        for part in email.walk():
            if part["Content-ID"]:
                data = base64.b64encode(part.get_content()).decode()
                html = html.replace(f"cid:{part['Content-ID'].strip('<>')}",
                                    f"data:{part.get_content_type()};base64,{data}")
        assert "cid:" not in html, f"{subject}: an inline image is missing from the message"
        await looks.page.set_content(html)
        await looks.check("mail-" + subject)
        images = await looks.page.eval_on_selector_all("img", "is => is.map(i => i.naturalWidth)")
        assert images and all(images), f"{subject}: an image does not show"
    await context.close()
    assert not looks.problems, "\n".join(looks.problems)

"""The outbox against a real SMTP server: transactional, deduplicated, retried, sent once."""

import asyncio
from datetime import timedelta

import pytest

from confops.core import clock, outbox
from confops.core.mail import Attachment, Message, SmtpMailer
from confops.core.tables import OutboxMessage
from confops.db import transaction
from tests.support.smtp import body_html, body_text, free_port


def _message(to="ana@example.org", subject="Your registration"):
    return Message(
        to=to, subject=subject, text="Plain text body", html='<p>HTML body <img src="cid:qr1"></p>',
        attachments=(Attachment("qr.png", b"\x89PNG fake", "image/png", inline_cid="qr1"),
                     Attachment("event.ics", b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n", "text/calendar")),
    )


async def test_mail_exists_only_if_the_change_committed(db, smtp_server, inbox):
    with pytest.raises(RuntimeError):
        async with transaction():
            await outbox.enqueue(_message())
            raise RuntimeError("the change failed")
    assert await OutboxMessage.count() == 0
    async with transaction():
        await outbox.enqueue(_message())
    assert await outbox.deliver_due(SmtpMailer(smtp_server.url, "ABS <events@example.org>")) == 1
    (received,) = inbox.wait_for("ana@example.org")
    assert received["Subject"] == "Your registration" and received["From"] == "ABS <events@example.org>"
    assert body_text(received).strip() == "Plain text body"
    assert "cid:qr1" in body_html(received)
    names = {part.get_filename() for part in received.walk() if part.get_filename()}
    assert names == {"qr.png", "event.ics"}
    row = await OutboxMessage.select().first()
    assert row["status"] == "sent" and row["attempts"] == 1 and row["sent_at"] is not None


async def test_same_dedupe_key_queues_once(db):
    assert await outbox.enqueue(_message(), dedupe_key="order-1-confirmation") is not None
    assert await outbox.enqueue(_message(), dedupe_key="order-1-confirmation") is None
    assert await OutboxMessage.count() == 1


async def test_failures_are_retried_with_backoff_then_sent_once(db, smtp_server, inbox):
    down = SmtpMailer(f"smtp://127.0.0.1:{free_port()}", "events@example.org")
    up = SmtpMailer(smtp_server.url, "events@example.org")
    start = clock.now()
    with clock.frozen_at(start):
        await outbox.enqueue(_message())
        assert await outbox.deliver_due(down) == 0
        row = await OutboxMessage.select().first()
        assert row["status"] == "pending" and row["attempts"] == 1 and row["last_error"]
        assert row["next_attempt_at"] == start + timedelta(seconds=30)
        assert await outbox.deliver_due(up) == 0, "not due yet"
        clock.advance(timedelta(seconds=31))
        assert await outbox.deliver_due(up) == 1
        assert await outbox.deliver_due(up) == 0
    assert len(inbox.wait_for("ana@example.org")) == 1


async def test_gives_up_after_max_attempts(db):
    down = SmtpMailer(f"smtp://127.0.0.1:{free_port()}", "events@example.org")
    with clock.frozen_at(clock.now()):
        await outbox.enqueue(_message())
        for _ in range(outbox.MAX_ATTEMPTS):
            await outbox.deliver_due(down)
            clock.advance(timedelta(hours=7))
        row = await OutboxMessage.select().first()
        assert row["status"] == "failed" and row["attempts"] == outbox.MAX_ATTEMPTS


async def test_concurrent_workers_send_each_message_once(db, smtp_server, inbox):
    for i in range(12):
        await outbox.enqueue(_message(to=f"p{i}@example.org"))
    mailer = SmtpMailer(smtp_server.url, "events@example.org")
    sent = await asyncio.gather(*(outbox.deliver_due(mailer) for _ in range(4)))
    assert sum(sent) == 12
    await asyncio.sleep(0.2)
    assert len(inbox.messages) == 12
    assert len({m["To"] for m in inbox.messages}) == 12


async def test_a_dead_workers_claim_is_taken_over(db, smtp_server, inbox):
    with clock.frozen_at(clock.now()):
        await outbox.enqueue(_message())
        await OutboxMessage.update({OutboxMessage.status: "sending",
                                    OutboxMessage.claimed_until: clock.now() + timedelta(minutes=5)}).where(
            OutboxMessage.id > 0)
        mailer = SmtpMailer(smtp_server.url, "events@example.org")
        assert await outbox.deliver_due(mailer) == 0
        clock.advance(timedelta(minutes=6))
        assert await outbox.deliver_due(mailer) == 1


async def test_mail_waits_while_this_process_places_orders_then_goes(db, smtp_server, inbox):
    # In a registration rush the sender steps aside for the orders (their buyers wait for an
    # answer), and sends as soon as the queue at the order gate is empty.
    from confops.db import hot_rows

    await outbox.enqueue(_message())
    mailer = SmtpMailer(smtp_server.url, "events@example.org")
    order_done = asyncio.Event()

    async def an_order_in_hand():
        async with hot_rows("orders", 1):
            await order_done.wait()

    holder = asyncio.create_task(an_order_in_hand())
    await asyncio.sleep(0)
    sending = asyncio.create_task(outbox.deliver_due(mailer))
    await asyncio.sleep(0.3)
    assert not sending.done() and (await OutboxMessage.select().first())["status"] == "pending"
    order_done.set()
    await holder
    assert await asyncio.wait_for(sending, 5) == 1
    assert inbox.wait_for("ana@example.org")


async def test_mail_waits_for_a_rush_at_most_yield_seconds(db, smtp_server, inbox):
    from confops.db import hot_rows

    await outbox.enqueue(_message())
    mailer = SmtpMailer(smtp_server.url, "events@example.org")
    async with hot_rows("orders", 1):  # a rush that does not end
        loop = asyncio.get_running_loop()
        started = loop.time()
        assert await outbox.deliver_due(mailer, yield_seconds=0.3) == 1
        assert 0.25 <= loop.time() - started < 3
    assert inbox.wait_for("ana@example.org")


async def test_the_statement_part_writes_the_row_enqueue_deferred_writes(pg_db):
    """The outbox's part of another area's statement (an order's, which knows the order id only as
    it runs) writes what enqueue_deferred writes; a dedupe key seen before is skipped by both."""
    import json

    from confops.db import raw

    long_subject = "Registration received, payment due: " + "x" * 400
    made = outbox.Deferred(to="Ana@Example.org", subject=long_subject, renderer="confops.registration.emails:render",
                           params={"order_id": 7, "token": "tok", "attendee_id": None}, dedupe_key="ack:7:ana")
    await outbox.enqueue_deferred([made])
    part = outbox.deferred_rows_sql(
        source="(SELECT 8 AS id, {} AS subject, {} AS address) AS v", dedupe_key="'ack:' || v.id || ':ana'",
        to="v.address", subject="v.subject", renderer="'confops.registration.emails:render'",
        params={"order_id": "v.id", "token": "'tok'", "attendee_id": "NULL"}, now="{}")
    assert part.count("{}") == 4  # `now` stamps next_attempt_at and created_at
    for _ in range(2):  # the second time its dedupe key is taken: nothing more
        await raw(OutboxMessage, part, clock.now(), clock.now(), long_subject, "Ana@Example.org")
    rows = await OutboxMessage.select().order_by(OutboxMessage.id)
    assert len(rows) == 2
    for row in rows:
        row["payload"] = json.loads(row["payload"])
        for varying in ("id", "next_attempt_at", "created_at"):
            row.pop(varying, None)
    first, second = rows
    assert second["payload"]["params"].pop("order_id") == 8 and first["payload"]["params"].pop("order_id") == 7
    assert second.pop("dedupe_key") == "ack:8:ana" and first.pop("dedupe_key") == "ack:7:ana"
    assert first == second
    assert len(first["subject"]) == outbox.SUBJECT_MAX and first["status"] == "pending" and first["last_error"] == ""

"""The transactional outbox: e-mail is written with the change, and sent by the worker.

`enqueue()` inserts a row inside the caller's transaction (Piccolo joins the running
transaction), so mail exists exactly when the change committed. `deliver_due()` claims one
row at a time with a conditional UPDATE — safe with several workers on either engine — sends
it, and marks it sent; a failure is retried with exponential backoff, and a row whose worker
died mid-send is reclaimed after its claim expires. A message is sent once unless a worker
dies between the SMTP server accepting it and the row being marked sent.
"""

from __future__ import annotations

import base64
import importlib
import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from confops.core import clock
from confops.core.mail import Attachment, Brand, Mailer, Message
from confops.core.tables import OutboxMessage, OutboxStatus
from confops.db import insert_or_ignore, yield_to_hot_rows

log = logging.getLogger("confops.outbox")

MAX_ATTEMPTS = 8
CLAIM = timedelta(minutes=5)
YIELD_SECONDS = 10.0  # the other jobs (holds, webhooks) run after this one


def backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min, … capped at 6 h."""
    return timedelta(seconds=min(30 * 2 ** max(attempts - 1, 0), 6 * 3600))


def _dump(message: Message) -> str:
    return json.dumps({
        "text": message.text,
        "html": message.html,
        "reply_to": message.reply_to,
        "headers": [list(h) for h in message.headers],
        "brand": [message.brand.slug, message.brand.name] if message.brand else None,
        "attachments": [
            {"filename": a.filename, "mime_type": a.mime_type, "inline_cid": a.inline_cid,
             "content": base64.b64encode(a.content).decode()}
            for a in message.attachments
        ],
    })


@dataclass(frozen=True)
class Deferred:
    """An e-mail the worker renders when it sends it: `renderer` ("package.module:function")
    is awaited with `params` and returns the Message, or None when there is nothing left to
    say (the row is then closed unsent). The request that queues it pays for one
    small row instead of templates, images and the queries behind them (the rendering was
    half of an order's CPU time), and the mail shows the state at sending time."""

    to: str
    subject: str
    renderer: str
    params: dict
    dedupe_key: str | None = None


async def _load(row: dict) -> Message | None:
    data = json.loads(row["payload"])
    if "renderer" in data:
        module, _, name = data["renderer"].partition(":")
        render = getattr(importlib.import_module(module), name)
        return await render(to=row["to_address"], **data["params"])
    return Message(
        to=row["to_address"],
        subject=row["subject"],
        text=data["text"],
        html=data.get("html"),
        reply_to=data.get("reply_to"),
        headers=tuple((name, value) for name, value in data.get("headers", [])),
        brand=Brand(*data["brand"]) if data.get("brand") else None,
        attachments=tuple(
            Attachment(a["filename"], base64.b64decode(a["content"]), a["mime_type"], a.get("inline_cid"))
            for a in data.get("attachments", [])
        ),
    )


async def enqueue(message: Message, *, dedupe_key: str | None = None) -> int | None:
    """Queue an e-mail; call inside the transaction of the change it reports.

    With a dedupe_key, queuing the same message twice (a retried request, a webhook replay)
    queues it once; returns None for the duplicate.
    """
    row = OutboxMessage(
        dedupe_key=dedupe_key,
        to_address=message.to,
        subject=message.subject,
        payload=_dump(message),
        next_attempt_at=clock.now(),
        created_at=clock.now(),  # the project's clock, like the change it reports (an order's history)
        last_error="",
    )
    return await insert_or_ignore(row)  # two late webhooks queue one message


# The columns a deferred e-mail's row sets (the rest keep their defaults: pending, no attempts),
# and the longest subject kept. enqueue_deferred and deferred_rows_sql write them alike.
# created_at by the project's clock too, like the change each e-mail reports (an order's history)
_DEFERRED_COLUMNS = ("dedupe_key", "to_address", "subject", "payload", "next_attempt_at", "last_error", "created_at")
SUBJECT_MAX = 300


def _deferred_row(message: Deferred, now: datetime) -> OutboxMessage:
    payload = json.dumps({"renderer": message.renderer, "params": message.params})
    values = (message.dedupe_key, message.to, message.subject[:SUBJECT_MAX], payload, now, "", now)
    return OutboxMessage(**dict(zip(_DEFERRED_COLUMNS, values, strict=True)))


def deferred_rows_sql(*, source: str, dedupe_key: str, to: str, subject: str, renderer: str,
                      params: dict[str, str], now: str) -> str:
    """The rows enqueue_deferred writes, as an INSERT … SELECT for a PostgreSQL statement that
    learns some values only as it runs (an order statement: the order's id): one e-mail per row
    of `source` (the text after FROM), each other argument the SQL of that value in the row.
    Used by registration's one-statement order (order_statement.py)."""
    pairs = ", ".join(f"'{name}', {value}" for name, value in params.items())
    payload = f"json_build_object('renderer', {renderer}, 'params', json_build_object({pairs}))::text"
    values = (dedupe_key, to, f"left({subject}, {SUBJECT_MAX})", payload, now, "''", now)
    return (f"INSERT INTO {OutboxMessage._meta.tablename} ({', '.join(_DEFERRED_COLUMNS)}) "
            f"SELECT {', '.join(values)} FROM {source} ON CONFLICT DO NOTHING")


async def enqueue_deferred(messages: Iterable[Deferred]) -> None:
    """Queue e-mails rendered by the worker, in one INSERT; a dedupe key seen before is
    skipped by the database (ON CONFLICT DO NOTHING, both engines), not by a query first."""
    now = clock.now()
    rows = [_deferred_row(m, now) for m in messages]
    if rows:
        await OutboxMessage.insert(*rows).on_conflict(action="DO NOTHING")


async def _claim_next() -> dict | None:
    now = clock.now()
    due = (
        (OutboxMessage.status == OutboxStatus.pending.value) & (OutboxMessage.next_attempt_at <= now)
    ) | ((OutboxMessage.status == OutboxStatus.sending.value) & (OutboxMessage.claimed_until < now))
    candidates = await OutboxMessage.select(OutboxMessage.id).where(due).order_by(OutboxMessage.id).limit(5)
    for candidate in candidates:
        claimed = await OutboxMessage.update(
            {OutboxMessage.status: OutboxStatus.sending.value, OutboxMessage.claimed_until: now + CLAIM}
        ).where((OutboxMessage.id == candidate["id"]) & due).returning(*OutboxMessage.all_columns())
        if claimed:
            return claimed[0]
    return None


async def deliver_due(mailer: Mailer, limit: int = 50, yield_seconds: float = YIELD_SECONDS) -> int:
    """Send what is due; returns how many were sent.

    Rendering a confirmation (the QR code, the calendar file, the MIME parts) costs several
    times the CPU of placing the order, so in a registration rush the sender steps aside while
    this process has orders in hand or queued (db.yield_to_hot_rows): the buyers get their
    answer sooner and the mail follows when the rush thins, at most `yield_seconds` later per
    run (measured with bench/registration_rush.py)."""
    sent = 0
    budget = yield_seconds
    for _ in range(limit):
        if budget > 0:
            budget -= await yield_to_hot_rows(budget)
        row = await _claim_next()
        if row is None:
            break
        attempts = row["attempts"] + 1
        try:
            message = await _load(row)
            if message is None:  # a deferred renderer found nothing left to say (e.g. cancelled since)
                await OutboxMessage.update({
                    OutboxMessage.status: OutboxStatus.sent.value, OutboxMessage.attempts: attempts,
                    OutboxMessage.claimed_until: None, OutboxMessage.last_error: "not sent: no longer relevant",
                }).where(OutboxMessage.id == row["id"])
                continue
            await mailer.send(message)
        except Exception as exc:  # any delivery failure is retried later; the reason is kept
            final = attempts >= MAX_ATTEMPTS
            # no address in the log (personal data): admins see it, with the whole reason, at /staff/jobs
            log.warning("mail %s failed (attempt %s): %s", row["id"], attempts, type(exc).__name__)
            await OutboxMessage.update({
                OutboxMessage.status: (OutboxStatus.failed if final else OutboxStatus.pending).value,
                OutboxMessage.attempts: attempts,
                OutboxMessage.next_attempt_at: clock.now() + backoff(attempts),
                OutboxMessage.claimed_until: None,
                OutboxMessage.last_error: f"{type(exc).__name__}: {exc}"[:2000],
            }).where(OutboxMessage.id == row["id"])
            continue
        await OutboxMessage.update({
            OutboxMessage.status: OutboxStatus.sent.value,
            OutboxMessage.attempts: attempts,
            OutboxMessage.sent_at: clock.now(),
            OutboxMessage.claimed_until: None,
            OutboxMessage.last_error: "",
        }).where(OutboxMessage.id == row["id"])
        sent += 1
    return sent


async def enqueue_deferred_one(message: Deferred) -> int:
    """One e-mail rendered by the worker: 1 if queued now, 0 if its dedupe key was queued
    before (a periodic job asking again)."""
    made = await OutboxMessage.insert(_deferred_row(message, clock.now())).on_conflict(
        action="DO NOTHING").returning(OutboxMessage.id)
    return len(made)

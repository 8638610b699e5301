"""Two requests queuing the same e-mail at the same moment (two late "succeeded" webhooks for one
payment): one message, and neither request fails."""

from __future__ import annotations

import asyncio

from confops.core import outbox
from confops.core.mail import Message
from confops.core.tables import OutboxMessage
from confops.db import transaction


async def test_the_same_dedupe_key_queued_at_once_is_one_message_and_no_error(db):
    async def queue() -> int | None:
        async with transaction():
            made = await outbox.enqueue(Message(to="a@example.org", subject="Paid", text="Thanks"),
                                        dedupe_key="order-7-confirmed")
            await asyncio.sleep(0.05)  # the other request queues meanwhile, inside its own transaction
            return made

    results = await asyncio.gather(*(queue() for _ in range(4)), return_exceptions=True)
    assert not [r for r in results if isinstance(r, BaseException)], results
    assert sum(1 for r in results if r is not None) == 1
    assert await OutboxMessage.count() == 1


async def test_a_double_click_on_add_to_my_agenda_adds_it_once(client, demo):
    from confops.events.tables import AgendaItem, Session
    from tests.speakers.people import sign_in
    from tests.support.http import csrf_token

    session = await Session.select(Session.id).where(Session.code == "W3").first()
    await sign_in(client, "attendee@example.org")
    await client.get("/agenda")
    clicks = await asyncio.gather(*(client.post(f"/agenda/{session['id']}", data={"_csrf_token": csrf_token(client)})
                                    for _ in range(4)))
    assert all(c.status_code == 303 for c in clicks), [c.status_code for c in clicks]
    assert await AgendaItem.count() == 1


async def test_two_staff_adding_the_same_code_at_once_get_one_code_and_a_conflict(db):
    from confops.core.errors import Conflict
    from confops.registration import catalog_admin
    from confops.registration.tables import DiscountCode
    from tests.registration.factory import make_event

    event_id = await make_event()
    results = await asyncio.gather(*(catalog_admin.issue_code(event_id, "spring-25", kind="percent", percent=25)
                                     for _ in range(3)), return_exceptions=True)
    assert sum(1 for r in results if isinstance(r, int)) == 1
    assert all(isinstance(r, Conflict) and r.code == "code_exists" for r in results if not isinstance(r, int)), results
    assert await DiscountCode.count().where(DiscountCode.code == "SPRING-25") == 1

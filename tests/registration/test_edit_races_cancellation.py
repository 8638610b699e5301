"""An attendee changing their answers while the order is being cancelled, on PostgreSQL: the
two transactions take the same rows in opposite order (the edit its attendee, then, for the
running counts, the order; the cancellation the order, then its attendees), the database
aborts one, and the person whose change was aborted is told to try again: a clear 409 with
nothing half-saved, never a 500."""

from __future__ import annotations

import asyncio
import re

import asyncpg

from confops.app import create_app
from confops.registration import tallies
from confops.registration.tables import Attendee, Order
from settings import Settings
from tests.conftest import TEST_SECRET
from tests.registration.factory import make_event
from tests.registration.test_pages import FORM, form_token
from tests.support.http import post_form, running


async def test_an_edit_aborted_by_a_cancellation_at_the_same_moment_says_try_again(pg_db, var_dir, smtp_server):
    app = create_app(Settings(env="test", database_url=pg_db.url, secret_key=TEST_SECRET,
                              base_url="http://testserver.local", var_dir=var_dir, smtp_url=smtp_server.url,
                              in_app_worker=False))
    async with running(app) as client:
        event_id = await make_event()
        form = await client.get("/events/meeting/register")
        done = await post_form(client, "/events/meeting/register",
                               {**FORM, "form_token": form_token(form.text), "action": "confirm"})
        order_id, token = re.search(r"/orders/(\d+)\?token=(.+)$", done.headers["location"]).groups()
        attendee = (await Attendee.select(Attendee.id, Attendee.profession).first())
        await client.get(f"/orders/{order_id}", params={"token": token})  # the form's cookie, before the lock

        staff = await asyncpg.connect(pg_db.url)
        try:
            cancelling = staff.transaction()
            await cancelling.start()
            await staff.execute("UPDATE registration_order SET status = 'cancelled' WHERE id = $1", int(order_id))
            edit = asyncio.create_task(post_form(client, f"/orders/{order_id}/answers", {
                "token": token, "attendee": attendee["id"], "profession": "Family physician"}))
            await asyncio.sleep(0.5)  # the edit now waits for the order the cancellation holds
            await staff.execute("UPDATE registration_attendee SET status = 'cancelled' WHERE \"order\" = $1",
                                int(order_id))
            await cancelling.commit()
        finally:
            await staff.close()
        answer = await asyncio.wait_for(edit, 30)

    assert answer.status_code == 409, answer.text[:500]
    assert "try again" in answer.text and "nothing was saved" in answer.text.lower()
    assert (await Attendee.select(Attendee.profession).where(Attendee.id == attendee["id"]).first())[
        "profession"] == attendee["profession"]
    assert (await Order.select(Order.status).where(Order.id == int(order_id)).first())["status"] == "cancelled"
    assert await tallies.differences(event_id) == []

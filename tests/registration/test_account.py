"""A registrant signs in with an e-mailed link and finds their registration under /account."""

from urllib.parse import urlparse

from tests.registration.factory import make_event
from tests.registration.test_api import body
from tests.support.http import links_in, post_form
from tests.support.smtp import body_text


async def test_registrant_signs_in_with_a_link_and_sees_the_order(client, inbox, deliver):
    await make_event()
    created = (await client.post("/api/v1/events/meeting/orders", json=body())).json()
    assert await deliver() == 1  # the order's acknowledgement (how to pay, by when)
    inbox.clear()
    await post_form(client, "/login", {"email": "ana@example.org", "next": "/account/registrations"}, page="/login")
    assert await deliver() == 1
    link = next(u for u in links_in(body_text(inbox.wait_for("ana@example.org")[0])) if "/login/link/" in u)
    r = await post_form(client, urlparse(link).path, {}, page=urlparse(link).path)
    assert r.headers["location"] == "/account/registrations"
    mine = await client.get("/account/registrations")
    assert mine.status_code == 200 and "Annual Meeting" in mine.text
    assert f"/orders/{created['id']}?token={created['token']}" in mine.text

"""What takes credit away after it was given (issue 23), through the flows staff and buyers use:
the society cancelling the event, a place transferred to someone else, refunds that leave the
registration unpaid (and those that do not). Both engines, through HTTP."""

from __future__ import annotations

from confops.backoffice.tables import AuditEntry
from confops.cme.tables import Certificate, CmeClaim
from tests.cme.support import SLUG, evaluated_and_claimed, learner, scan_into
from tests.cme.test_audit_rules import CLAIM, _evaluate, eligible
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import post_form


async def status_of(client, serial: str) -> str:
    return (await client.get(f"/api/v1/certificates/{serial}")).json()["status"]


async def test_cancelling_the_event_revokes_its_certificates_and_closes_claims(client, demo, deliver, inbox):
    """The attack: the meeting is called off half-way; a certificate issued for its first day stays
    valid, and a learner who attended that day claims afterwards."""
    cert = await evaluated_and_claimed("morgan@example.org", credit="1")
    lena = await learner("lena@example.org")
    await scan_into(lena["id"], "P1")
    await staff_sign_in(client, "registrar@example.org")
    base = f"/staff/events/{SLUG}"
    r = await post_form(client, f"{base}/cancel", {"reason": "The venue flooded.", "confirm": SLUG}, page=f"{base}/edit")
    assert r.status_code == 303, r.text

    assert await status_of(client, cert["serial"]) == "revoked"
    row = await Certificate.select().where(Certificate.id == cert["id"]).first()
    assert row["revoked_reason"] == "Event cancelled by the organizers."
    assert await AuditEntry.exists().where((AuditEntry.action == "cme_certificate_revoked")
                                           & (AuditEntry.entity_id == str(cert["id"])))
    await deliver()
    [mail] = [m for m in inbox.wait_for("morgan@example.org") if "revoked" in m["Subject"]]
    assert "Event cancelled" in mail.get_body(("plain",)).get_content()

    await sign_in(client, "lena@example.org")
    url = f"/account/cme/{lena['id']}"
    page = await client.get(url)
    assert page.status_code == 200 and "This event was cancelled by the organizers" in page.text
    r = await post_form(client, f"{url}/claim", {**CLAIM, "credit": "1"}, page=url)
    assert r.status_code == 422 and "This event was cancelled" in r.text.split('id="claim-error"')[1]
    assert not await CmeClaim.exists().where(CmeClaim.attendee == lena["id"])

    # claiming again does not bring the revoked certificate back
    morgan = await learner("morgan@example.org")
    await sign_in(client, "morgan@example.org")
    r = await post_form(client, f"/account/cme/{morgan['id']}/claim", {**CLAIM, "credit": "1"},
                        page=f"/account/cme/{morgan['id']}")
    assert r.status_code == 422
    assert await Certificate.count().where(Certificate.email == "morgan@example.org") == 1



async def test_a_transferred_place_revokes_the_holders_certificate_and_the_newcomer_claims_on_their_own(
        client, demo, deliver, inbox):
    """The attack: Morgan claims, then gives her place to Cal, who signs in and finds her
    attendance ready to claim, while her certificate stays valid."""
    from confops.accounts.service import create_user
    from confops.core.auth import Role
    from confops.registration.order_decision import order_token
    from confops.registration.tables import Order

    cert = await evaluated_and_claimed("morgan@example.org", credit="3.5")
    morgan = await learner("morgan@example.org")
    order = await Order.select().where(Order.id == morgan["order"]).first()
    token = order_token(order["idempotency_key"])
    client.cookies.clear()
    r = await post_form(client, f"/orders/{order['id']}/transfer",
                        {"token": token, "attendee": str(morgan["id"]), "first_name": "Cal", "last_name": "Colleague",
                         "credentials": "MD", "email": "cal@example.org"},
                        page=f"/orders/{order['id']}?token={token}")
    assert r.status_code == 200 and "The place was transferred" in r.text, r.text
    assert await status_of(client, cert["serial"]) == "revoked"
    row = await Certificate.select().where(Certificate.id == cert["id"]).first()
    assert "transferred" in row["revoked_reason"]
    assert await AuditEntry.exists().where((AuditEntry.action == "cme_certificate_revoked")
                                           & (AuditEntry.entity_id == str(cert["id"])))
    await deliver()
    assert any("revoked" in m["Subject"] for m in inbox.wait_for("morgan@example.org"))

    await create_user("cal@example.org", "Cal Colleague", roles=[("abs", Role.attendee)])
    await sign_in(client, "cal@example.org")
    url = f"/account/cme/{morgan['id']}"
    page = (await client.get(url)).text
    assert eligible(page) == "0.00"
    r = await post_form(client, f"{url}/claim", {**CLAIM, "credit": "1"}, page=url)
    assert r.status_code == 422 and not await Certificate.exists().where(Certificate.email == "cal@example.org")
    # Cal's own attendance counts, and the evaluation is his to fill in
    await scan_into(morgan["id"], "G1")
    await sign_in(client, "cal@example.org")
    assert eligible((await client.get(url)).text) == "1.50"
    await _evaluate(client, morgan["id"])
    r = await post_form(client, f"{url}/claim", {**CLAIM, "credit": "1.5"}, page=url)
    assert r.status_code == 303, r.text
    mine = await Certificate.select().where(Certificate.email == "cal@example.org")
    assert len(mine) == 1 and mine[0]["status"] == "valid" and '"learner":"Cal Colleague"' in mine[0]["content"]
    assert await status_of(client, cert["serial"]) == "revoked"
    # Morgan's own record of what she did stays hers: her revoked certificate, not Cal's evidence
    await sign_in(client, "morgan@example.org")
    assert cert["serial"] in (await client.get("/account/cme")).text


async def test_a_partial_refund_keeps_the_certificate_and_refunding_the_rest_revokes_it(client, demo):
    from confops.registration.tables import Order

    cert = await evaluated_and_claimed("morgan@example.org", credit="1")
    order = await Order.select().where(Order.id == (await learner("morgan@example.org"))["order"]).first()
    await staff_sign_in(client, "admin@example.org")
    page = f"/staff/orders/{order['id']}/payments"
    r = await post_form(client, f"/staff/orders/{order['id']}/refunds",
                        {"refund_amount": "10.00", "refund_reason": "Goodwill: the lunch was late"}, page=page)
    assert r.status_code == 200 and "The refund was recorded." in r.text
    assert await status_of(client, cert["serial"]) == "valid"
    rest = order["total_cents"] - 1000
    r = await post_form(client, f"/staff/orders/{order['id']}/refunds",
                        {"refund_amount": f"{rest / 100:.2f}", "refund_reason": "Could not stay"}, page=page)
    assert r.status_code == 200 and "The refund was recorded." in r.text
    assert await status_of(client, cert["serial"]) == "revoked"

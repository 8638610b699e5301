"""What takes credit away after it was given (issue 23), through the flows staff and buyers use:
the society cancelling the event, a place transferred to someone else, refunds that leave the
registration unpaid (and those that do not). Both engines, through HTTP."""

from __future__ import annotations

from confops.backoffice.tables import AuditEntry
from confops.cme.tables import Certificate, CmeClaim
from tests.cme.support import SLUG, evaluated_and_claimed, learner, scan_into
from tests.cme.test_audit_rules import CLAIM
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


"""A designation corrected after learners claimed (issue 23): only a coordinator, only with a
reason (audited), never above what the schedule supports; the certificates already issued are
issued again as new records that supersede the old ones, and their learners are told. Both
engines, through HTTP."""

from __future__ import annotations

import json

from confops.backoffice.tables import AuditEntry
from confops.cme.tables import Certificate, CmeClaim
from confops.events.tables import Event
from tests.cme.support import SLUG, evaluated_and_claimed, learner
from tests.cme.test_scan_window import designation_form
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import post_form

URL = f"/staff/events/{SLUG}/cme"
STATEMENT = ("The American Balint Society designates this live activity for a maximum of 3.00 AMA PRA Category 1 "
             "Credit(s)™. Physicians should claim only the credit commensurate with the extent of their "
             "participation in the activity.")


async def status_of(client, serial: str) -> dict:
    return (await client.get(f"/api/v1/certificates/{serial}")).json()


async def maximum() -> int:
    return (await Event.select(Event.cme_max_credit_quarters).where(Event.slug == SLUG).first())[
        "cme_max_credit_quarters"]


async def test_a_designation_is_corrected_after_claims_only_with_a_reason_and_certificates_are_reissued(
        client, demo, deliver, inbox):
    morgan_cert = await evaluated_and_claimed("morgan@example.org", credit="3.5")  # P1, G1, W1
    kai_cert = await evaluated_and_claimed("kai@example.org", codes=("P1",), credit="1.25")
    before = await maximum()
    form = {**await designation_form(), "max_ama_pra_1": "3", "statement_ama_pra_1": STATEMENT}

    await staff_sign_in(client, "cme@example.org")
    page = (await client.get(URL)).text
    assert 'id="correction_reason"' in page and "learners have already claimed" in page
    # no reason: a field error, nothing changed
    r = await post_form(client, f"{URL}/designation", form)
    assert r.status_code == 422 and 'id="correction_reason-error"' in r.text
    assert "A change now is a correction" in r.text
    r = await post_form(client, f"{URL}/designation", {**form, "correction_reason": "   "})
    assert r.status_code == 422 and 'id="correction_reason-error"' in r.text
    # a reason does not lift the schedule's limit
    r = await post_form(client, f"{URL}/designation", {**form, "max_ama_pra_1": "30",
                                                        "correction_reason": "Typo in the approval letter"})
    assert r.status_code == 422 and 'id="max_ama_pra_1-error"' in r.text
    assert await maximum() == before
    assert (await status_of(client, morgan_cert["serial"]))["status"] == "valid"

    # a learner cannot correct it
    await sign_in(client, "morgan@example.org")
    r = await post_form(client, f"{URL}/designation", {**form, "correction_reason": "I say so"}, page="/account/cme")
    assert r.status_code in (401, 403) and await maximum() == before

    await staff_sign_in(client, "cme@example.org")
    reason = "The accreditor approved 3.00 credits, not 14.00: the letter was misread"
    r = await post_form(client, f"{URL}/designation", {**form, "correction_reason": reason}, page=URL)
    assert r.status_code == 303, r.text
    assert await maximum() == 12
    entry = await AuditEntry.select().where(AuditEntry.action == "cme_designation_corrected").first()
    assert entry and reason in json.dumps(entry["after"] if isinstance(entry["after"], dict) else entry["after"])

    # Morgan's claim of 3.50 is held to the corrected 3.00; Kai's 1.25 stays; both re-issued
    morgan = await learner("morgan@example.org")
    assert (await CmeClaim.select().where(CmeClaim.attendee == morgan["id"]).first())["quarters"] == 12
    for old, credit in ((morgan_cert, "3.00"), (kai_cert, "1.25")):
        seen = await status_of(client, old["serial"])
        assert seen["status"] == "superseded" and seen["superseded_by"], old["email"]
        new = await Certificate.select().where(Certificate.serial == seen["superseded_by"]).first()
        content = json.loads(new["content"])
        assert new["status"] == "valid" and content["designated"] == "3.00" and content["credit"] == credit
        assert content["designation_statement"] == STATEMENT
        assert (await status_of(client, new["serial"]))["status"] == "valid"
    await deliver()
    for email, old in (("morgan@example.org", morgan_cert), ("kai@example.org", kai_cert)):
        [mail] = [m for m in inbox.wait_for(email) if "re-issued" in m["Subject"]]
        body = mail.get_body(("plain",)).get_content()
        assert reason in body and old["serial"] in body

    # the old credential shows as superseded to a verifier too
    verify = (await client.get(f"/verify/{morgan_cert['serial']}")).text
    assert "superseded" in verify.lower()


async def test_a_session_credit_is_corrected_after_claims_only_with_a_reason(client, demo, deliver, inbox):
    """W1 ran an hour, not 75 minutes: its credit goes to 1.00, Morgan's claim of 4.00 (P1, G1,
    W1) to the 3.75 she can now claim, and her certificate is issued again."""
    from confops.cme.tables import CmeSessionCredit
    from confops.events.tables import Session
    from tests.cme.support import session

    cert = await evaluated_and_claimed("morgan@example.org", credit="4")
    w1 = await session("W1")
    extra = await CmeSessionCredit.select().where(CmeSessionCredit.session == w1["id"]).first() or {}
    form = {"credit": "1", "group": extra.get("parallel_group", ""),
            "types": [t for t in (extra.get("credit_types") or "").split(",") if t]}
    await staff_sign_in(client, "cme@example.org")
    r = await post_form(client, f"{URL}/sessions/{w1['id']}", form, page=URL)
    assert r.status_code == 422 and f'id="s{w1["id"]}_correction_reason-error"' in r.text
    assert (await Session.select(Session.credit_quarters).where(Session.id == w1["id"]).first())["credit_quarters"] == 5
    reason = "W1 ran 60 minutes: the fire alarm took the first quarter hour"
    r = await post_form(client, f"{URL}/sessions/{w1['id']}", {**form, "correction_reason": reason})
    assert r.status_code == 303, r.text
    assert (await Session.select(Session.credit_quarters).where(Session.id == w1["id"]).first())["credit_quarters"] == 4
    assert await AuditEntry.exists().where(AuditEntry.action == "cme_session_designation_corrected")
    seen = await status_of(client, cert["serial"])
    assert seen["status"] == "superseded"
    new = await Certificate.select().where(Certificate.serial == seen["superseded_by"]).first()
    assert json.loads(new["content"])["credit"] == "3.75"
    await deliver()
    [mail] = [m for m in inbox.wait_for("morgan@example.org") if "re-issued" in m["Subject"]]
    assert reason in mail.get_body(("plain",)).get_content()

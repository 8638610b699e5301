"""End to end over HTTP, on both engines: scans into three sessions -> evaluation -> claim ->
certificate PDF whose QR (decoded from the rasterised page) opens a verify page that says
valid; re-issue supersedes, revocation shows; other learners' ids and serials are not found."""

from urllib.parse import urlparse

from confops.cme.tables import EvaluationAnswer, EvaluationQuestion
from tests.cme.support import (
    SLUG,
    evaluated_and_claimed,
    learner,
    pdf_text,
    qr_texts,
    scan_into,
    session,
)
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import post_form


async def _evaluate(client, attendee_id: int) -> None:
    questions = await EvaluationQuestion.select().where(EvaluationQuestion.event.slug == SLUG)
    form = {}
    for q in questions:
        form[f"q{q['id']}"] = {"likert": "Agree", "choice": "Yes", "text": "Listen longer."}[q["kind"]]
    r = await post_form(client, f"/account/cme/{attendee_id}/evaluation", form)
    assert r.status_code == 303, r.text


async def test_scans_to_verified_certificate(client, demo, tmp_path):
    morgan = await learner("morgan@example.org")
    await scan_into(morgan["id"], "P1", "G1", "W1")  # 5 + 6 + 5 quarters = 4.00 credits
    await sign_in(client, "morgan@example.org")

    home = await client.get("/account/cme")
    assert home.status_code == 200 and f'/account/cme/{morgan["id"]}' in home.text
    page = await client.get(f"/account/cme/{morgan['id']}")
    assert page.status_code == 200
    assert '<strong id="eligible">4.00</strong> AMA PRA Category 1 Credit(s)™' in page.text

    # the evaluation is required first
    r = await post_form(client, f"/account/cme/{morgan['id']}/claim", {"credit": "4", "credit_type": "ama_pra_1",
                                                                        "attest": "on"})
    assert r.status_code == 422 and 'id="evaluation-error"' in r.text
    missing = await post_form(client, f"/account/cme/{morgan['id']}/evaluation", {})
    assert missing.status_code == 422 and "This question needs an answer." in missing.text
    await _evaluate(client, morgan["id"])
    assert "Listen longer." in {a["value"] for a in await EvaluationAnswer.select(EvaluationAnswer.value)}

    for bad, field in (({"credit": "4.25"}, "credit"), ({"credit": "3.1"}, "credit"), ({"attest": ""}, "attest")):
        form = {"credit": "3.75", "credit_type": "ama_pra_1", "attest": "on", **bad}
        r = await post_form(client, f"/account/cme/{morgan['id']}/claim", form)
        assert r.status_code == 422 and f'id="{field}-error"' in r.text, bad
    r = await post_form(client, f"/account/cme/{morgan['id']}/claim",
                        {"credit": "3.75", "credit_type": "ama_pra_1", "attest": "on"})
    assert r.status_code == 303
    page = await client.get(f"/account/cme/{morgan['id']}?issued=1")
    serial = page.text.split("Download certificate ")[1].split("<")[0]

    pdf = await client.get(f"/account/cme/certificates/{serial}")
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.content)
    assert "Morgan Reyes, MD" in text and "3.75 AMA PRA Category 1 Credit(s)™" in text
    assert "designates this live activity for a maximum of 14.00" in text
    assert "accreditation requirements and policies of the ACCME" in text
    [url] = qr_texts(pdf.content, tmp_path)
    assert urlparse(url).path == f"/v/{serial}"  # the short form, which leads to the verify page
    verify = await client.get(urlparse(url).path, follow_redirects=True)
    assert verify.status_code == 200 and "<strong>Valid</strong>" in verify.text
    assert "Morgan Reyes" in verify.text and "3.75 AMA PRA Category 1" in verify.text
    api = await client.get(f"/api/v1/certificates/{serial}")
    assert api.status_code == 200
    assert api.json()["status"] == "valid" and api.json()["credit"].startswith("3.75")
    assert "email" not in api.json()

    # a corrected claim re-issues: the old serial is superseded and points to the new one
    r = await post_form(client, f"/account/cme/{morgan['id']}/claim",
                        {"credit": "4", "credit_type": "ama_pra_1", "attest": "on"})
    assert r.status_code == 303
    old = await client.get(f"/verify/{serial}")
    assert "<strong>Superseded</strong>" in old.text
    new_serial = old.text.split('href="/verify/')[1].split('"')[0]
    assert (await client.get(f"/api/v1/certificates/{serial}")).json()["superseded_by"] == new_serial
    assert (await client.get(f"/account/cme/certificates/{new_serial}")).status_code == 200

    transcript = await client.get("/account/cme/transcript")
    assert new_serial in transcript.text and serial in transcript.text
    tpdf = await client.get("/account/cme/transcript.pdf")
    assert "Total valid: 4.00 AMA PRA Category 1 Credit(s)™" in pdf_text(tpdf.content)

    # the coordinator revokes it with a reason
    await staff_sign_in(client, "cme@example.org")
    certs = await client.get(f"/staff/events/{SLUG}/cme/certificates?q=morgan")
    assert new_serial in certs.text
    cert_id = certs.text.split("/cme/certificates/")[1].split("/revoke")[0]
    r = await post_form(client, f"/staff/events/{SLUG}/cme/certificates/{cert_id}/revoke", {"reason": ""})
    assert r.status_code == 422
    r = await post_form(client, f"/staff/events/{SLUG}/cme/certificates/{cert_id}/revoke",
                        {"reason": "Attendance record was wrong"})
    assert r.status_code == 303
    client.cookies.clear()
    revoked = await client.get(f"/verify/{new_serial}")
    assert "<strong>Revoked</strong> on" in revoked.text and "Attendance record was wrong" not in revoked.text
    assert (await client.get(f"/api/v1/certificates/{new_serial}")).json()["status"] == "revoked"
    await staff_sign_in(client, "cme@example.org")
    assert "Revoked: Attendance record was wrong" in (await client.get(f"/staff/events/{SLUG}/cme/certificates")).text


async def test_unknown_serials_and_other_learners_are_not_found(client, demo):
    morgan = await learner("morgan@example.org")
    kai = await learner("kai@example.org")
    await scan_into(morgan["id"], "P1")
    for path in ("/verify/CME-AAAAA-BBBBB-CCCCC-DDDDD", "/verify/nonsense", "/api/v1/certificates/x"):
        r = await client.get(path)
        assert r.status_code == 404, path
    assert (await client.get("/api/v1/certificates/CME-AAAAA-BBBBB-CCCCC-DDDDD")).json()["code"] == "unknown_serial"
    await sign_in(client, "kai@example.org")
    assert (await client.get(f"/account/cme/{kai['id']}")).status_code == 200
    assert (await client.get(f"/account/cme/{morgan['id']}")).status_code == 404
    for action in ("claim", "evaluation", "attendance"):
        r = await post_form(client, f"/account/cme/{morgan['id']}/{action}", {"credit": "1", "attest": "on"},
                            page="/account/cme")
        assert r.status_code == 404, action
    assert (await client.get("/account/cme/certificates/CME-AAAAA-BBBBB-CCCCC-DDDDD")).status_code == 404
    theirs = await evaluated_and_claimed("morgan@example.org", credit="1")
    assert (await client.get(f"/account/cme/certificates/{theirs['serial']}")).status_code == 404
    assert theirs["serial"] not in (await client.get("/account/cme")).text


async def test_presence_share_and_own_talks(client, demo):
    """Leaving half-way earns nothing at 80 %; a presenter never gets learner credit for their talk."""
    morgan = await learner("morgan@example.org")
    await scan_into(morgan["id"], "P2", out_after=0.5)
    await scan_into(morgan["id"], "G1", out_after=0.9)
    await sign_in(client, "morgan@example.org")
    page = await client.get(f"/account/cme/{morgan['id']}")
    assert '<strong id="eligible">1.50</strong>' in page.text  # G1 only (90 min)

    from confops.registration.tables import Attendee
    await Attendee.update({Attendee.email: "jordan@example.org"}).where(Attendee.email == "kai@example.org")
    jordan = await learner("jordan@example.org")  # Jordan presents W1 and co-leads D1
    await scan_into(jordan["id"], "W1", "P1", "D1")
    await sign_in(client, "jordan@example.org")
    page = await client.get(f"/account/cme/{jordan['id']}")
    assert '<strong id="eligible">1.25</strong>' in page.text  # P1 only
    assert page.text.count("You taught this session") == 2
    w1 = await session("W1")
    from confops.cme.evidence import presented_sessions, presenters_of
    taught = await presented_sessions("jordan@example.org", w1["event"])
    assert w1["id"] in taught and (await presenters_of(w1["event"]))["jordan@example.org"] == taught


async def test_the_claim_deadline_is_enforced(client, demo):
    from datetime import timedelta

    from confops.cme.tables import CmeActivity
    from confops.core import clock

    morgan = await learner("morgan@example.org")
    await scan_into(morgan["id"], "P1")
    await CmeActivity.update({CmeActivity.claim_deadline: clock.now() - timedelta(minutes=1)}).where(
        CmeActivity.event.slug == SLUG)
    await sign_in(client, "morgan@example.org")
    page = await client.get(f"/account/cme/{morgan['id']}")
    assert "The claim deadline has passed." in page.text
    r = await post_form(client, f"/account/cme/{morgan['id']}/claim",
                        {"credit": "1", "credit_type": "ama_pra_1", "attest": "on"})
    assert r.status_code == 422 and "claim deadline for this activity has passed" in r.text

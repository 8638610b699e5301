"""Each credit type's certificate prints that credit's own statements (DOMAIN.md: nurses',
psychologists' and social workers' credit with their own approval statements), not the ACCME
physician statement (issue 23). On both engines, through HTTP: the learner claims, downloads the
PDF, and its text is read back."""

from __future__ import annotations

import json

from confops.cme.tables import Certificate, CmeActivity, EvaluationQuestion
from confops.events.tables import Event
from confops.registration.tables import Attendee
from tests.cme.support import SLUG, learner, pdf_text, scan_into
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import post_form

ACCME = "Accreditation Council for Continuing Medical Education"
OWN = {
    "ancc": ("approved for a maximum of 14.00 nursing contact hours", "American Nurses Credentialing Center"),
    "apa": ("maximum of 14.00 continuing education credits for psychologists", "American Psychological Association"),
    "aswb": ("Social workers completing this activity receive a maximum of 14.00",
             "Association of Social Work Boards (ASWB) Approved Continuing Education"),
}


async def _claim(client, email: str, credit_type: str, credit: str):
    """Sign in as the learner, evaluate if not done yet, claim: the claim's answer."""
    a = await Attendee.select().where((Attendee.email == email) & (Attendee.event.slug == SLUG)).first()
    url = f"/account/cme/{a['id']}"
    await sign_in(client, email)
    if "/evaluation" in (await client.get(url)).text:
        questions = await EvaluationQuestion.select().where(EvaluationQuestion.event.slug == SLUG)
        form = {f"q{q['id']}": {"likert": "Agree", "choice": "Yes", "text": "Fine."}[q["kind"]] for q in questions}
        await post_form(client, f"{url}/evaluation", form)
    return a, await post_form(client, f"{url}/claim", {"credit": credit, "credit_type": credit_type, "attest": "on"})


async def _certificate_text(client, email: str, credit_type: str, credit: str = "3.5") -> str:
    a, r = await _claim(client, email, credit_type, credit)
    assert r.status_code == 303, r.text
    cert = await Certificate.select().where((Certificate.attendee == a["id"]) & (Certificate.status == "valid")).first()
    pdf = await client.get(f"/account/cme/certificates/{cert['serial']}")
    assert pdf.status_code == 200
    return pdf_text(pdf.content)


async def _as(email: str, credentials: str, profession: str) -> None:
    await Attendee.update({Attendee.credentials: credentials, Attendee.profession: profession}).where(
        Attendee.email == email)


async def test_each_credit_type_prints_its_own_statements(client, demo):
    """The attack: a nurse's ANCC certificate carried the ACCME's physician accreditation."""
    event = await Event.select().where(Event.slug == SLUG).first()
    # the activity also offers AAFP credit (physicians: the ACCME's accreditation applies)
    row = await CmeActivity.select().where(CmeActivity.event == event["id"]).first()
    types = json.loads(row["credit_types"]) if isinstance(row["credit_types"], str) else row["credit_types"]
    types.append({"type": "aafp", "quarters": 56, "statement": "Acceptable for up to 14.00 Prescribed credit(s) by "
                                                               "the American Academy of Family Physicians."})
    await CmeActivity.update({CmeActivity.credit_types: json.dumps(types)}).where(CmeActivity.id == row["id"])
    for email in ("morgan@example.org", "lena@example.org", "kai@example.org"):
        a = await learner(email)
        await scan_into(a["id"], "P1", "G1", "W1")

    text = await _certificate_text(client, "morgan@example.org", "ama_pra_1")
    assert "designates this live activity for a maximum of 14.00 AMA PRA Category 1 Credit(s)™" in text
    assert ACCME in text
    text = await _certificate_text(client, "morgan@example.org", "aafp")
    assert "American Academy of Family Physicians" in text and ACCME in text and "AMA PRA" not in text

    for credit_type, (designation, accreditor) in OWN.items():
        profession = {"ancc": "nurse", "apa": "psychologist", "aswb": "social_worker"}[credit_type]
        await _as("lena@example.org", {"ancc": "RN", "apa": "PhD", "aswb": "LCSW"}[credit_type], profession)
        text = await _certificate_text(client, "lena@example.org", credit_type)
        assert accreditor in text, credit_type
        assert ACCME not in text and "AMA PRA" not in text, credit_type
        assert designation in text and "3.50" in text, credit_type

    # someone whose profession has no credit here gets participation: what the activity was
    # designated for, under the ACCME's statements
    await _as("kai@example.org", "LMFT", "counsellor")
    text = await _certificate_text(client, "kai@example.org", "participation")
    assert "Certificate of participation" in text and "maximum of 14.00 AMA PRA Category 1" in text and ACCME in text


async def test_non_physician_credit_needs_its_accreditors_statement(client, demo):
    """Offered without its own accreditation statement: refused at that field when designated,
    and an activity left without it issues no certificate (never the ACCME's in its place)."""
    await staff_sign_in(client, "cme@example.org")
    url = "/staff/events/leader-training-intensive/cme"
    form = {"provider": "American Balint Society", "accreditation": "Accredited by the ACCME.",
            "offer_ama_pra_1": "on", "max_ama_pra_1": "14.5", "statement_ama_pra_1": "Designated for 14.5.",
            "offer_apa": "on", "max_apa": "14.5", "statement_apa": "Offers 14.5 CE credits for psychologists.",
            "learning_format": "live", "location": "Bangor, PA", "evidence": "session_scans",
            "min_presence_percent": "80"}
    r = await post_form(client, f"{url}/designation", form, page=url)
    assert r.status_code == 422 and 'id="accreditation_apa-error"' in r.text
    assert "instead of the ACCME" in r.text
    r = await post_form(client, f"{url}/designation", {**form, "accreditation_apa": "Approved by the APA."})
    assert r.status_code == 303
    page = (await client.get(url)).text
    assert ">Approved by the APA.</textarea>" in page

    # the national meeting's ANCC statement is lost (an old record): claims stay closed for all
    event = await Event.select().where(Event.slug == SLUG).first()
    row = await CmeActivity.select().where(CmeActivity.event == event["id"]).first()
    types = json.loads(row["credit_types"]) if isinstance(row["credit_types"], str) else row["credit_types"]
    types = [{**t, "accreditation": ""} if t["type"] == "ancc" else t for t in types]
    await CmeActivity.update({CmeActivity.credit_types: json.dumps(types)}).where(CmeActivity.id == row["id"])
    lena = await learner("lena@example.org")
    await scan_into(lena["id"], "P1")
    await _as("lena@example.org", "RN", "nurse")
    _, r = await _claim(client, "lena@example.org", "ancc", "1.25")
    assert r.status_code == 422 and "accreditation statements are not complete" in r.text
    assert not await Certificate.exists().where(Certificate.attendee == lena["id"])
    await staff_sign_in(client, "cme@example.org")
    page = (await client.get(f"/staff/events/{SLUG}/cme")).text
    assert "ANCC contact hours (nursing): the accreditor&#39;s own accreditation statement is missing." in page

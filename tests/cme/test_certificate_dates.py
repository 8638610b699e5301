"""A certificate is dated by the activity, not by the day the learner got round to claiming, and
is never issued before the sessions it covers have ended (issue 23), on both engines, through
HTTP as the learner and the verifier see it."""

from __future__ import annotations

from datetime import date, timedelta

from confops.cme.tables import Certificate, EvaluationQuestion
from confops.core import clock
from confops.core.extension import emit
from confops.events.tables import Event
from tests.cme.support import SLUG, learner, pdf_text, scan_into, session
from tests.speakers.people import sign_in
from tests.support.http import post_form


async def _evaluate_and_claim(client, attendee_id: int, credit: str):
    url = f"/account/cme/{attendee_id}"
    questions = await EvaluationQuestion.select().where(EvaluationQuestion.event.slug == SLUG)
    form = {f"q{q['id']}": {"likert": "Agree", "choice": "Yes", "text": "Fine."}[q["kind"]] for q in questions}
    r = await post_form(client, f"{url}/evaluation", form, page=url)
    assert r.status_code == 303, r.text
    r = await post_form(client, f"{url}/claim", {"credit": credit, "credit_type": "ama_pra_1", "attest": "on"})
    assert r.status_code == 303, r.text
    page = (await client.get(f"{url}?issued=1")).text
    return page.split("Download certificate ")[1].split("<")[0]


def _local_day(at, event) -> date:
    return clock.local(at, event["timezone"]).date()


async def test_a_late_claim_is_completed_on_the_activitys_last_day_not_the_claim_day(client, demo):
    """The attack: claim three weeks after the meeting; the certificate said it was completed
    that day (a board counting credit per cycle would put it in the wrong year)."""
    morgan = await learner("morgan@example.org")
    await scan_into(morgan["id"], "P1", "G1", "W1")
    event = await Event.select().where(Event.slug == SLUG).first()
    end = _local_day(event["ends_at"], event)
    late = clock.now() + timedelta(days=21)
    with clock.frozen_at(late):
        await sign_in(client, "morgan@example.org")
        serial = await _evaluate_and_claim(client, morgan["id"], "3.75")
        pdf = await client.get(f"/account/cme/certificates/{serial}")
        text = pdf_text(pdf.content)
        assert f"Date of completion: {end:%B %-d, %Y}." in text
        assert f"{_local_day(late, event):%B %-d, %Y}" not in text
        verify = (await client.get(f"/verify/{serial}")).text
        assert f'id="completed-on">{end.isoformat()}<' in verify
        api = (await client.get(f"/api/v1/certificates/{serial}")).json()
        assert api["completed_on"] == end.isoformat() and api["issued_on"] == late.date().isoformat()
    row = await Certificate.select().where(Certificate.serial == serial).first()
    assert row["issued_at"] >= event["ends_at"]


async def test_a_certificate_during_the_meeting_covers_ended_sessions_and_is_dated_by_them(client, demo):
    """During the meeting: scanned into the plenary (over) and a small group (under way), the
    learner claims. Only the plenary is covered, the certificate is issued after it ended and is
    not dated by the meeting's last day, which is still to come."""
    morgan = await learner("morgan@example.org")
    p1, g1 = await session("P1"), await session("G1")
    event = await Event.select().where(Event.slug == SLUG).first()
    for s in (p1, g1):
        await emit("session_scan_accepted", attendee_id=morgan["id"], session_id=s["id"], direction="in",
                   scanned_at=s["starts_at"] - timedelta(minutes=2), list_id=1)
    with clock.frozen_at(g1["starts_at"] + timedelta(minutes=30)):
        await sign_in(client, "morgan@example.org")
        url = f"/account/cme/{morgan['id']}"
        r = await post_form(client, f"{url}/claim", {"credit": "2.75", "credit_type": "ama_pra_1", "attest": "on"},
                            page=url)
        assert r.status_code == 422 and 'id="credit-error"' in r.text  # G1 has not ended: 1.25 at most
        serial = await _evaluate_and_claim(client, morgan["id"], "1.25")
        api = (await client.get(f"/api/v1/certificates/{serial}")).json()
    row = await Certificate.select().where(Certificate.serial == serial).first()
    assert row["issued_at"] >= p1["ends_at"]
    assert api["completed_on"] == _local_day(p1["ends_at"], event).isoformat()
    assert _local_day(event["ends_at"], event) > _local_day(p1["ends_at"], event)

"""The CME coordinator over HTTP, on both engines: designation (checked, in advance only),
attendance corrections with a reason (audited), evaluations with charts, reminders, the PARS
and claims exports; registrars may look but not change."""

import csv
import io
from datetime import timedelta

from confops.accounts.service import create_user
from confops.cme.tables import CmeProfile
from confops.core import clock
from confops.core.extension import provides
from confops.events.tables import Event
from tests.cme.support import SLUG, evaluated_and_claimed, learner, meeting_over, scan_into, session
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import post_form
from tests.support.smtp import body_text

AUDIT: list[dict] = []


@provides("staff_change")
async def _audit(**change):
    AUDIT.append(change)


async def test_designation_is_checked_and_made_in_advance(client, demo):
    await staff_sign_in(client, "cme@example.org")
    url = f"/staff/events/{SLUG}/cme"
    page = await client.get(url)
    assert page.status_code == 200
    assert '<strong id="derived">14.00</strong>' in page.text and "The designation agrees with the sessions." in page.text
    w1 = await session("W1")
    r = await post_form(client, f"{url}/sessions/{w1['id']}", {"credit": "1.5", "group": "thu-1615"})
    assert r.status_code == 422 and "At most 1.25 credits" in r.text
    r = await post_form(client, f"{url}/sessions/{w1['id']}", {"credit": "1.1", "group": "thu-1615"})
    assert r.status_code == 422 and "steps of 0.25" in r.text
    AUDIT.clear()
    r = await post_form(client, f"{url}/sessions/{w1['id']}", {"credit": "1", "group": "", "types": ["ama_pra_1"]})
    assert r.status_code == 303
    assert AUDIT and AUDIT[-1]["action"] == "cme_session_designation"
    page = await client.get(url)
    # W1 left its typed group, but it still runs beside W2: the schedule counts them once.
    assert '<strong id="derived">14.00</strong>' in page.text
    form = {"provider": "American Balint Society", "accreditation": "Accredited by the ACCME.",
            "offer_ama_pra_1": "on", "max_ama_pra_1": "16", "statement_ama_pra_1": "Designated for 16.",
            "offer_ancc": "on", "max_ancc": "", "statement_ancc": "",
            "learning_format": "live", "location": "Tacoma", "evidence": "session_scans",
            "min_presence_percent": "75", "claim_deadline": "2030-01-31", "evaluation_required": "on"}
    r = await post_form(client, f"{url}/designation", form)
    assert r.status_code == 422 and 'id="max_ancc-error"' in r.text and 'id="statement_ancc-error"' in r.text
    r = await post_form(client, f"{url}/designation", {**form, "offer_ancc": ""})
    assert r.status_code == 422 and 'id="max_ama_pra_1-error"' in r.text  # above what the sessions support
    assert "The sessions support at most 14.00" in r.text
    r = await post_form(client, f"{url}/designation", {**form, "offer_ancc": "", "max_ama_pra_1": "14"})
    assert r.status_code == 303
    page = await client.get(url)
    assert 'name="claim_deadline" type="date" value="2030-01-31"' in page.text  # open to the end of that day
    await Event.update({Event.starts_at: clock.now() - timedelta(hours=1)}).where(Event.slug == SLUG)
    r = await post_form(client, f"{url}/designation", form)
    assert r.status_code == 422 and "in advance" in r.text and 'id="correction_reason-error"' in r.text


async def test_corrections_need_a_reason_and_are_audited(client, demo):
    await meeting_over()
    morgan = await learner("morgan@example.org")
    g2 = await session("G2")
    await staff_sign_in(client, "cme@example.org")
    url = f"/staff/events/{SLUG}/cme/learners"
    r = await post_form(client, f"{url}/{morgan['id']}/attendance", {"session": g2["id"], "present": "yes",
                                                                    "reason": ""}, page=url)
    assert r.status_code == 422 and "Say why attendance is corrected." in r.text
    AUDIT.clear()
    r = await post_form(client, f"{url}/{morgan['id']}/attendance",
                        {"session": g2["id"], "present": "yes", "reason": "Scanner was down in the Group Suite"})
    assert r.status_code == 303
    assert AUDIT[-1]["action"] == "cme_attendance_correction" and AUDIT[-1]["after"]["reason"].startswith("Scanner")
    page = await client.get(url)
    row = page.text.split(f'id="a{morgan["id"]}"')[1].split("</tr>")[0]
    assert "1.50 (AMA PRA Category 1)" in row
    # an absent correction overrides a scan
    await scan_into(morgan["id"], "P2")
    await post_form(client, f"{url}/{morgan['id']}/attendance",
                    {"session": g2["id"], "present": "no", "reason": "Left after ten minutes"})
    row = (await client.get(url)).text.split(f'id="a{morgan["id"]}"')[1].split("</tr>")[0]
    assert "1.00 (AMA PRA Category 1)" in row


async def test_reports_reminders_and_exports(client, demo, inbox, deliver):
    await evaluated_and_claimed("morgan@example.org", credit="3.5")
    kai = await learner("kai@example.org")
    await scan_into(kai["id"], "P1")
    user = await create_user("morgan@example.org", "Morgan Reyes")
    await CmeProfile(user=user.id, board_id="ABIM-123456", birth_month=4, birth_day=9, pars_consent=True).save()
    lena = await evaluated_and_claimed("lena@example.org", codes=("P1",), credit="1.25")
    assert lena["status"] == "valid"  # Lena has no consent: she stays out of PARS

    await staff_sign_in(client, "cme@example.org")
    page = await client.get(f"/staff/events/{SLUG}/cme")
    assert "Attended but not claimed (1)" in page.text and "Kai Nakamura — up to 1.25" in page.text
    assert "AMA PRA Category 1 4.75" in page.text  # 3.5 + 1.25 claimed
    assert "2 physicians, 0 others" in page.text
    r = await post_form(client, f"/staff/events/{SLUG}/cme/reminders", {})
    assert r.status_code == 303 and r.headers["location"].endswith("sent=1")
    assert await deliver() == 1
    mail = inbox.wait_for("kai@example.org")[0]
    assert "Claim your CME credit" in mail["Subject"] and f"/account/cme/{kai['id']}" in body_text(mail)

    pars = await client.get(f"/staff/events/{SLUG}/cme/pars.csv")
    rows = list(csv.reader(io.StringIO(pars.text)))
    assert rows[0][:4] == ["Provider Activity ID", "First Name", "Last Name", "DOB Month"]
    assert rows[1:] == [[SLUG, "Morgan", "Reyes", "4", "9", "ABIM-123456", "", rows[1][7], "AMA PRA Category 1", "3.50"]]
    claims = await client.get(f"/staff/events/{SLUG}/cme/claims.csv")
    assert claims.headers["content-type"].startswith("text/csv")
    assert {r[0] for r in list(csv.reader(io.StringIO(claims.text)))[1:]} == {"Reyes", "Fischer"}

    evals = await client.get(f"/staff/events/{SLUG}/cme/evaluations")
    assert evals.status_code == 200 and "<svg" in evals.text and "2 answer(s)" in evals.text
    assert "Reyes" not in evals.text and "Fischer" not in evals.text and "@example.org" not in evals.text
    r = await post_form(client, f"/staff/events/{SLUG}/cme/questions", {"prompt": "Pace?", "kind": "choice",
                                                                         "choices": "Only one"})
    assert r.status_code == 422 and 'id="choices-error"' in r.text
    w1 = await session("W1")
    r = await post_form(client, f"/staff/events/{SLUG}/cme/questions", {"prompt": "Was W1 practical?", "kind": "likert",
                                                                         "session": str(w1["id"]), "required": "on"})
    assert r.status_code == 303
    assert "Was W1 practical?" in (await client.get(f"/staff/events/{SLUG}/cme/evaluations")).text


async def test_registrars_see_the_overview_but_change_nothing(client, demo):
    await staff_sign_in(client, "registrar@example.org")
    assert (await client.get(f"/staff/events/{SLUG}/cme")).status_code == 200
    for path in ("learners", "pars.csv", "certificates"):
        assert (await client.get(f"/staff/events/{SLUG}/cme/{path}")).status_code == 403, path
    r = await post_form(client, f"/staff/events/{SLUG}/cme/designation", {"provider": "X"},
                        page=f"/staff/events/{SLUG}/cme")
    assert r.status_code == 403
    await sign_in(client, "attendee@example.org")
    assert (await client.get(f"/staff/events/{SLUG}/cme")).status_code == 403
    assert (await client.get("/staff/events/no-such-event/cme", headers={"accept": "application/json"})).status_code in (403, 404)

"""ACCME disclosures over HTTP and through the service, on both engines: disclose, review,
mitigate, publish only when resolved, show learners, refuse the person who declines."""

import io
from datetime import timedelta
from urllib.parse import urlparse

import pypdf

from confops.core import clock
from confops.events.tables import Session
from confops.speakers import disclosures
from confops.speakers.tables import FinancialRelationship, Mitigation, Speaker
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import links_in, post_form
from tests.support.smtp import body_text

SLUG = "abs-national-meeting"


async def _session(code: str) -> dict:
    return await Session.select().where((Session.code == code) & (Session.event.slug == SLUG)).first()


async def test_disclose_review_mitigate_then_publish_and_show_learners(client, demo):
    w1 = await _session("W1")  # Jordan's CME workshop
    await sign_in(client, "jordan@example.org")
    bad = await post_form(client, "/speaker/disclosure", {"kind": "relationships", "company_0": "Zenith Pharma",
                                                          "nature_0": "bribery"}, page="/speaker/disclosure")
    assert bad.status_code == 422
    for field in ("nature_0", "ended_on_0", "attest"):
        assert f'id="{field}-error"' in bad.text
    r = await post_form(client, "/speaker/disclosure", {"kind": "relationships", "company_0": "Zenith Pharma",
                                                        "nature_0": "advisor", "ongoing_0": "on", "attest": "on"})
    assert r.status_code == 303
    assert "1 relationship(s) disclosed" in (await client.get("/speaker")).text

    # unpublished while the relationship is unreviewed, then unmitigated
    await staff_sign_in(client)
    url = f"/staff/events/{SLUG}/schedule/sessions/{w1['id']}/published"
    await post_form(client, url, {"published": "no"}, page=f"/staff/events/{SLUG}/schedule")
    r = await post_form(client, url, {"published": "yes"})
    assert r.status_code == 409 and "not yet reviewed" in r.text
    rel = await FinancialRelationship.select().where(FinancialRelationship.company == "Zenith Pharma").first()

    await staff_sign_in(client, "registrar@example.org")  # not a CME coordinator
    r = await post_form(client, f"/staff/events/{SLUG}/relationships/{rel['id']}/review", {"relevant": "yes"},
                        page="/staff")
    assert r.status_code == 403
    await staff_sign_in(client, "cme@example.org")
    review_page = await client.get(f"/staff/events/{SLUG}/disclosures")
    assert "Zenith Pharma" in review_page.text and "not reviewed" in review_page.text
    await post_form(client, f"/staff/events/{SLUG}/relationships/{rel['id']}/review", {"relevant": "yes"})
    r = await post_form(client, f"/staff/events/{SLUG}/relationships/{rel['id']}/mitigation", {"notes": "x"})
    assert r.status_code == 422 and "mitigation steps" in r.text

    await staff_sign_in(client)
    r = await post_form(client, url, {"published": "yes"})
    assert r.status_code == 409 and "without mitigation" in r.text
    r = await post_form(client, f"/staff/events/{SLUG}/schedule/versions", {})
    # Jordan also co-leads the published demonstration group: the schedule cannot be published either
    assert r.status_code == 409 and "“Demonstration group (fishbowl) with reflection”: Jordan Lee has a relevant" in r.text

    await staff_sign_in(client, "cme@example.org")
    r = await post_form(client, f"/staff/events/{SLUG}/relationships/{rel['id']}/mitigation",
                        {"steps": ["peer_review", "attest_no_bias"], "notes": "Slides reviewed by A. Admin."},
                        page=f"/staff/events/{SLUG}/disclosures")
    assert r.status_code == 303
    mitigation = await Mitigation.select(Mitigation.recorded_by.email, Mitigation.steps).first()
    assert mitigation["recorded_by.email"] == "cme@example.org" and "peer_review" in mitigation["steps"]

    await staff_sign_in(client)
    assert (await post_form(client, url, {"published": "yes"})).status_code == 303
    public = (await client.get(f"/events/{SLUG}/sessions/{w1['id']}")).text
    assert "Advisor, Zenith Pharma — mitigated" in public
    plenary = await _session("P2")  # Samuel (mitigated relationship) and Maya (nothing)
    page = (await client.get(f"/events/{SLUG}/sessions/{plenary['id']}")).text
    assert "Consultant, Acme Therapeutics, Inc. — mitigated" in page and "nothing to disclose" in page
    w5 = await _session("W5")  # Priya: a relationship judged not relevant is not listed
    page = (await client.get(f"/events/{SLUG}/sessions/{w5['id']}")).text
    assert "Medisonic" not in page and "nothing to disclose" in page

    pdf = await client.get(f"/events/{SLUG}/program.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages).split())
    assert "Zenith Pharma — mitigated" in text and "Acme Therapeutics" in text
    assert "Nothing to disclose" in text and "Medisonic" not in text
    assert "Hannah Berg, RN, MSN (Reviewer): Nothing to disclose" in text  # planners and reviewers too
    assert "AMA PRA Category 1 Credit" in text and "Opening plenary" in text and "Ольга Смирнова" in text


async def test_declining_to_disclose_makes_a_person_unschedulable_for_cme(client, demo):
    await sign_in(client, "olga@example.org")
    r = await post_form(client, "/speaker/disclosure", {"kind": "refused"}, page="/speaker/disclosure")
    assert r.status_code == 303
    assert "cannot be scheduled in CME sessions" in (await client.get("/speaker")).text
    olga = await Speaker.select().where(Speaker.email == "olga@example.org").first()
    w1 = await _session("W1")
    await staff_sign_in(client)
    r = await post_form(client, f"/staff/events/{SLUG}/schedule/sessions/{w1['id']}/speakers",
                        {"speaker": str(olga["id"]), "role": "presenter"}, page=f"/staff/events/{SLUG}/schedule")
    assert r.status_code == 409 and "declined to disclose" in r.text
    r = await post_form(client, f"/staff/events/{SLUG}/invitations", {
        "email": "olga@example.org", "role": "presenter", "sessions": [str(w1["id"])]})
    assert r.status_code == 409 and "declined to disclose" in r.text
    # her existing CME workshop can no longer be published
    w7 = await _session("W7")
    url = f"/staff/events/{SLUG}/schedule/sessions/{w7['id']}/published"
    await post_form(client, url, {"published": "no"})
    r = await post_form(client, url, {"published": "yes"})
    assert r.status_code == 409 and "declined to disclose" in r.text


async def test_disclosures_older_than_a_year_ask_for_renewal(client, demo):
    maya = await Speaker.select().where(Speaker.email == "maya@example.org").first()
    assert (await disclosures.current([maya["id"]]))[maya["id"]].status == "current"
    with clock.frozen_at(clock.now() + timedelta(days=366)):
        view = (await disclosures.current([maya["id"]]))[maya["id"]]
        assert view.status == "renewal_due"
        p3 = await _session("P3")
        assert "older than 12 months" in " ".join((await disclosures.cme_blockers([p3["id"]]))[p3["id"]])
        await sign_in(client, "maya@example.org")
        assert "please renew it" in (await client.get("/speaker")).text
        r = await post_form(client, "/speaker/disclosure", {"kind": "none", "attest": "on"}, page="/speaker/disclosure")
        assert r.status_code == 303
        assert (await disclosures.current([maya["id"]]))[maya["id"]].status == "current"


async def test_planners_disclose_too_before_the_program_is_published(client, demo, inbox, deliver):
    await staff_sign_in(client)
    r = await post_form(client, f"/staff/events/{SLUG}/planners", {"planner_email": "bad", "planner_role": "chef"},
                        page=f"/staff/events/{SLUG}/speakers")
    assert r.status_code == 422 and 'id="planner_email-error"' in r.text and 'id="planner_role-error"' in r.text
    r = await post_form(client, f"/staff/events/{SLUG}/planners", {
        "planner_email": "kim@example.org", "planner_first_name": "Kim", "planner_last_name": "Park",
        "planner_role": "planner"})
    assert r.status_code == 303
    r = await post_form(client, f"/staff/events/{SLUG}/schedule/versions", {}, page=f"/staff/events/{SLUG}/schedule")
    assert r.status_code == 409 and "Kim Park has not completed a disclosure" in r.text
    event_page = (await client.get(f"/events/{SLUG}")).text
    assert "Kim Park" in event_page and "disclosure pending" in event_page
    assert "Daniel Whitfield" in event_page  # the demo's planner

    await deliver()
    link = next(u for u in links_in(body_text(inbox.wait_for("kim@example.org")[0])) if "/login/link/" in u)
    client.cookies.clear()
    path = urlparse(link).path
    assert (await post_form(client, path, {}, page=path)).headers["location"] == "/speaker/disclosure"
    await post_form(client, "/speaker/disclosure", {"kind": "none", "attest": "on"}, page="/speaker/disclosure")
    await staff_sign_in(client)
    r = await post_form(client, f"/staff/events/{SLUG}/schedule/versions", {}, page=f"/staff/events/{SLUG}/schedule")
    assert r.status_code == 303
    event_page = (await client.get(f"/events/{SLUG}")).text
    assert "disclosure pending" not in event_page


async def test_mitigation_must_come_before_the_session(db, demo):
    p2 = await _session("P2")  # Samuel's relevant relationship was mitigated when the demo loaded
    assert (await disclosures.cme_blockers([p2["id"]])) == {}
    await Mitigation.update({Mitigation.recorded_at: p2["starts_at"] + timedelta(minutes=5)}).where(Mitigation.id > 0)
    assert (await disclosures.cme_blockers([p2["id"]]))[p2["id"]] == [
        "Samuel Okafor's mitigation was recorded after the session started."]


async def test_an_unreviewed_relationship_is_never_shown_as_nothing_to_disclose(client, demo):
    """Maya (plenary P2, nothing to disclose so far) discloses an ongoing consultancy the day
    before the meeting; nobody has reviewed it yet. Learners must not read "nothing to
    disclose" meanwhile, and staff see it waiting for review."""
    await sign_in(client, "maya@example.org")
    r = await post_form(client, "/speaker/disclosure", {"kind": "relationships", "company_0": "Zenith Pharma",
                                                        "nature_0": "consultant", "ongoing_0": "on", "attest": "on"},
                        page="/speaker/disclosure")
    assert r.status_code == 303
    plenary = await _session("P2")
    page = (await client.get(f"/events/{SLUG}/sessions/{plenary['id']}")).text
    section = page[page.index('id="disclosures-title"'):]
    maya = section[section.index("<strong>Maya Goldberg</strong>"):].split("</li>")[0]
    assert "nothing to disclose" not in maya.lower() and "review pending" in maya
    assert "Zenith" not in maya  # relevance is the reviewer's call: no company before it
    await staff_sign_in(client, "cme@example.org")
    review = (await client.get(f"/staff/events/{SLUG}/disclosures")).text
    assert "disclosed, review pending" in review
    pdf = await client.get(f"/events/{SLUG}/program.pdf")
    text = " ".join(" ".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(pdf.content)).pages).split())
    maya_pdf = text[text.index("Maya Goldberg, MD ("):].split(", MD (", 2)[1][:60]  # up to the next person
    assert "Nothing to disclose" not in maya_pdf and "review pending" in maya_pdf, maya_pdf

"""The speaker portal over HTTP, on both engines: invitation by e-mail, profile, photo,
confirm/withdraw, the edit deadline, proposals, materials, and isolation between speakers."""

import io
from datetime import timedelta
from urllib.parse import urlparse

from PIL import Image

from confops.core import clock
from confops.events.tables import Event, Session
from confops.speakers.tables import SessionProposal, Speaker
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import csrf_token, links_in, post_form
from tests.support.smtp import body_text

SLUG = "abs-national-meeting"
OBJECTIVES = "Name the stages of a group\nPractise listening\nPlan one change"


async def _session(code: str) -> dict:
    return await Session.select().where((Session.code == code) & (Session.event.slug == SLUG)).first()


async def test_staff_invite_a_new_speaker_whose_link_opens_the_portal(client, demo, inbox, deliver):
    w1, w2 = await _session("W1"), await _session("W2")
    await staff_sign_in(client)
    bad = await post_form(client, f"/staff/events/{SLUG}/invitations", {"email": "nope", "role": "boss"},
                          page=f"/staff/events/{SLUG}/speakers")
    assert bad.status_code == 422
    for field in ("email", "role", "sessions"):
        assert f'id="{field}-error"' in bad.text
    r = await post_form(client, f"/staff/events/{SLUG}/invitations", {
        "email": "New.Speaker@Example.org", "first_name": "Noor", "last_name": "Haddad", "role": "presenter",
        "sessions": [str(w1["id"]), str(w2["id"])]})
    assert r.status_code == 303
    assert await deliver() == 1
    message = inbox.wait_for("new.speaker@example.org")[0]
    assert "Invitation to speak" in message["Subject"]
    text = body_text(message)
    assert "Starting a Balint group in a residency" in text
    path = urlparse(next(u for u in links_in(text) if "/login/link/" in u)).path
    client.cookies.clear()
    r = await post_form(client, path, {}, page=path)
    assert r.status_code == 303 and r.headers["location"] == "/speaker"
    portal = await client.get("/speaker")
    assert portal.status_code == 200 and "Noor" in portal.text
    assert portal.text.count("Invited — please answer") == 2
    r = await post_form(client, f"/speaker/sessions/{w1['id']}/answer", {"answer": "confirmed"})
    r = await post_form(client, f"/speaker/sessions/{w2['id']}/answer", {"answer": "withdrawn"})
    portal = await client.get("/speaker")
    assert "Confirmed" in portal.text and "Withdrawn" in portal.text and "Invited — please answer" not in portal.text
    bad = await post_form(client, f"/speaker/sessions/{w1['id']}/answer", {"answer": "maybe"})
    assert bad.status_code == 422
    await staff_sign_in(client)
    editor = (await client.get(f"/staff/events/{SLUG}/schedule")).text
    assert 'Noor Haddad (Presenter, <strong class="warn">withdrawn</strong>)' in editor
    assert "Noor Haddad (Presenter)" in editor  # confirmed for W1


async def test_edits_apply_before_the_deadline_and_become_proposals_after(client, demo):
    w1 = await _session("W1")
    await sign_in(client, "jordan@example.org")
    url = f"/speaker/sessions/{w1['id']}"
    form = {"title": w1["title"], "abstract": "A practical start.", "learning_objectives": "Only one",
            "format": "Workshop", "av_needs": "Flip chart"}
    r = await post_form(client, url, form, page=url)
    assert r.status_code == 422 and 'id="learning_objectives-error"' in r.text and "at least 3" in r.text
    r = await post_form(client, url, {**form, "learning_objectives": OBJECTIVES})
    assert r.status_code == 303 and r.headers["location"].endswith("saved=applied")
    assert (await _session("W1"))["abstract"] == "A practical start."
    public = await client.get(f"/events/{SLUG}/sessions/{w1['id']}")
    assert "A practical start." in public.text

    await Event.update({Event.edit_deadline: clock.now() - timedelta(hours=1)}).where(Event.slug == SLUG)
    page = await client.get(url)
    assert "edit deadline has passed" in page.text
    r = await post_form(client, url, {**form, "learning_objectives": OBJECTIVES, "abstract": "Late idea."})
    assert r.headers["location"].endswith("saved=proposed")
    r = await post_form(client, url, {**form, "learning_objectives": OBJECTIVES, "abstract": "Second idea."})
    assert (await _session("W1"))["abstract"] == "A practical start."
    assert "waiting for staff" in (await client.get(url)).text

    first, second = await SessionProposal.select().order_by(SessionProposal.id)
    await staff_sign_in(client, "registrar@example.org")
    staff_page = await client.get(f"/staff/events/{SLUG}/speakers")
    assert "Late idea." in staff_page.text
    await post_form(client, f"/staff/events/{SLUG}/proposals/{first['id']}", {"decision": "accept"})
    await post_form(client, f"/staff/events/{SLUG}/proposals/{second['id']}", {"decision": "reject"})
    again = await post_form(client, f"/staff/events/{SLUG}/proposals/{second['id']}", {"decision": "accept"})
    assert again.status_code == 409
    assert (await _session("W1"))["abstract"] == "Late idea."
    await sign_in(client, "jordan@example.org")
    mine = (await client.get(url)).text
    assert "accepted" in mine and "rejected" in mine


def _png(size=(1600, 900)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (20, 120, 90)).save(out, "PNG")
    return out.getvalue()


async def test_profile_photo_and_materials(client, demo):
    w7 = await _session("W7")  # Olga's workshop
    await sign_in(client, "olga@example.org")
    me = await Speaker.select().where(Speaker.email == "olga@example.org").first()
    r = await post_form(client, "/speaker/profile", {"first_name": "", "last_name": "Смирнова", "bio": "x" * 2001},
                        page="/speaker")
    assert r.status_code == 422 and 'id="first_name-error"' in r.text and 'id="bio-error"' in r.text
    r = await post_form(client, "/speaker/profile", {"first_name": "Olga", "last_name": "Smirnova",
                                                     "credentials": "DO", "pronouns": "she/her",
                                                     "institution": "Cleveland Clinic", "bio": "Balint leader."})
    assert r.status_code == 303
    assert (await Speaker.select().where(Speaker.id == me["id"]).first())["first_name"] == "Olga"

    token = csrf_token(client)
    r = await client.post("/speaker/photo", data={"_csrf_token": token}, files={"photo": ("me.png", _png(), "image/png")})
    assert r.status_code == 303
    photo = await client.get(f"/speakers/{me['id']}/photo")
    assert photo.headers["content-type"] == "image/jpeg"
    with Image.open(io.BytesIO(photo.content)) as img:
        assert max(img.size) == 600
    r = await client.post("/speaker/photo", data={"_csrf_token": token},
                          files={"photo": ("evil.png", b"<script>alert(1)</script>", "image/png")})
    assert r.status_code == 422 and 'id="photo-error"' in r.text

    url = f"/speaker/sessions/{w7['id']}/materials"
    r = await client.post(url, data={"_csrf_token": token}, files={"file": ("notes.pdf", b"just text", "application/pdf")})
    assert r.status_code == 422 and "PDF, PowerPoint" in r.text
    pdf = b"%PDF-1.4\n%slides\n"
    r = await client.post(url, data={"_csrf_token": token, "share": "on"}, files={"file": ('sl"ides.pdf', pdf, "application/pdf")})
    assert r.status_code == 303
    public_url = f"/events/{SLUG}/sessions/{w7['id']}"
    assert "Slides and handouts" not in (await client.get(public_url)).text  # not before the session
    with clock.frozen_at(w7["ends_at"] + timedelta(minutes=1)):
        page = (await client.get(public_url)).text
        assert "sl_ides.pdf" in page
        link = page.split('href="')[[i for i, part in enumerate(page.split('href="')) if "/materials/" in part][0]].split('"')[0]
        got = await client.get(link)
        assert got.status_code == 200 and got.content == pdf and got.headers["content-type"] == "application/pdf"
        client.cookies.clear()
        assert (await client.get(link)).status_code == 303  # registrants only: sign in first


async def test_a_speaker_sees_and_changes_only_their_own_sessions(client, demo):
    p1 = await _session("P1")  # Daniel's plenary
    before = await _session("P1")
    await sign_in(client, "jordan@example.org")
    base = f"/speaker/sessions/{p1['id']}"
    assert (await client.get(base)).status_code == 404
    token = csrf_token(client)
    edit = await client.post(base, data={"_csrf_token": token, "title": "Hijacked", "learning_objectives": OBJECTIVES})
    assert edit.status_code == 404
    assert (await client.post(f"{base}/answer", data={"_csrf_token": token, "answer": "withdrawn"})).status_code == 404
    up = await client.post(f"{base}/materials", data={"_csrf_token": token},
                           files={"file": ("x.pdf", b"%PDF-1.4\n", "application/pdf")})
    assert up.status_code == 404
    assert await _session("P1") == before
    assert "Opening plenary" not in (await client.get("/speaker")).text
    assert "Speaker portal" in (await client.get("/account")).text
    # staff pages and coordinator actions are not for speakers
    for path in (f"/staff/events/{SLUG}/speakers", f"/staff/events/{SLUG}/disclosures", f"/staff/events/{SLUG}/schedule"):
        assert (await client.get(path)).status_code == 403
    assert (await client.post(f"/staff/events/{SLUG}/relationships/1/review",
                              data={"_csrf_token": token, "relevant": "no"})).status_code == 403
    # someone without a speaker profile has no portal
    await sign_in(client, "attendee@example.org")
    assert (await client.get("/speaker")).status_code == 404
    assert "Speaker portal" not in (await client.get("/account")).text
    client.cookies.clear()
    assert (await client.get("/speaker")).headers["location"] == "/login?next=/speaker"


async def test_a_speaker_row_of_my_email_linked_to_no_one_is_mine_without_a_write(client, demo):
    """Made by e-mail outside an invitation (the admin site, an import): the portal shows it to
    the person who signed in with that e-mail and lets them change it; reading writes nothing,
    and a speaker row linked to another account is not theirs."""
    from tests.registration.test_pure_reads import writes
    from tests.support.statements import statements_counted

    w7 = await _session("W7")  # Olga's workshop
    await Speaker.update({Speaker.user: None}).where(Speaker.email == "olga@example.org")
    await sign_in(client, "olga@example.org")
    with statements_counted() as seen:
        portal = await client.get("/speaker")
        session = await client.get(f"/speaker/sessions/{w7['id']}")
    assert not writes(seen), writes(seen)
    assert portal.status_code == 200 and session.status_code == 200 and w7["title"] in portal.text
    r = await post_form(client, "/speaker/profile", {"first_name": "Olga", "last_name": "Smirnova", "credentials": "DO",
                                                     "pronouns": "", "institution": "Cleveland Clinic", "bio": ""})
    assert r.status_code == 303
    assert (await Speaker.select(Speaker.first_name).where(Speaker.email == "olga@example.org").first()) == {
        "first_name": "Olga"}
    jordan = await Speaker.select(Speaker.user).where(Speaker.email == "jordan@example.org").first()
    await Speaker.update({Speaker.user: jordan["user"]}).where(Speaker.email == "olga@example.org")
    assert (await client.get(f"/speaker/sessions/{w7['id']}")).status_code == 404

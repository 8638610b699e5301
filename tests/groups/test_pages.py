"""Small-group pages over HTTP: staff run, review, adjust and publish; an attendee sees only
their own group and opts in; a leader sees only their groups' rosters (page and PDF) and marks
attendance; leader-training pages for the person and for staff."""

import io
import re
from datetime import timedelta

from pypdf import PdfReader

from confops.core import clock
from confops.events.labels import profession_label
from confops.events.tables import Event
from confops.groups import planning, runs
from confops.groups.kinds import RunStatus
from confops.groups.published import published_lines
from confops.groups.tables import GroupAttendance, GroupMember, GroupParticipant, LeaderTraining
from confops.registration.tables import Attendee
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import post_form

SLUG = "abs-national-meeting"
BASE = f"/staff/events/{SLUG}/groups"


async def _series() -> int:
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    return (await planning.series_of(event["id"]))["id"]


async def _group_led_by(email: str) -> dict:
    run = await runs.run_of(await _series(), RunStatus.published)
    return await GroupMember.select(GroupMember.group.as_alias("id"), GroupMember.group.number.as_alias("number")).where(
        (GroupMember.group.run == run["id"]) & (GroupMember.leader.email == email)).first()


async def test_staff_run_review_adjust_publish(client, demo):
    assert (await client.get(BASE)).status_code in (303, 401)
    await staff_sign_in(client, "checkin@example.org")
    assert (await client.get(BASE)).status_code == 403  # staff, but not a registrar
    await staff_sign_in(client, "registrar@example.org")
    page = await client.get(BASE)
    assert page.status_code == 200 and "(Published, seed 1)" in page.text and "pins broken: 0" in page.text

    r = await post_form(client, BASE + "/run", {"seed": "5"})
    assert r.status_code == 303
    page = await client.get(r.headers["location"])
    run_id = int(re.search(r"Run (\d+) \(Draft, seed 5\)", page.text).group(1))
    assert "size" in page.text and "institution clashes" in page.text and "leader pairs unmixed" in page.text

    series = await _series()
    groups = await runs.groups_of(run_id)
    person = groups[0].members[0]
    r = await post_form(client, BASE + "/move", {"run": str(run_id), "person": person, "group": str(groups[1].number)})
    assert r.status_code == 303
    assert {m: g.number for g in await runs.groups_of(run_id) for m in g.members}[person] == groups[1].number
    r = await post_form(client, BASE + "/lock", {"run": str(run_id), "group": str(groups[1].number), "locked": "1"})
    assert r.status_code == 303
    r = await post_form(client, BASE + "/move", {"run": str(run_id), "person": groups[2].members[0],
                                                 "group": str(groups[1].number)})
    assert r.status_code == 409 and f"Group {groups[1].number} is locked" in r.text
    r = await post_form(client, BASE + "/move", {"run": str(run_id), "person": "x1", "group": "1"})
    assert r.status_code == 422 and "Choose a person" in r.text, re.findall(r"notice[^<]*<|error[^<]*<", r.text)

    a, b = groups[3].members[:2]
    r = await post_form(client, BASE + "/pins", {"person_a": a, "person_b": b, "together": "0"})
    assert r.status_code == 303
    r = await post_form(client, BASE + "/run", {"seed": "6"})
    page = await client.get(r.headers["location"])
    assert "pins broken: 0" in page.text and "apart" in page.text
    draft = await runs.current_run(series)
    r = await post_form(client, BASE + "/publish", {"run": str(draft["id"])})
    assert r.status_code == 303 and "published" in r.headers["location"]
    assert (await runs.run_of(series, RunStatus.published))["id"] == draft["id"]
    page = await client.get(BASE)
    assert "Published roster of group" in page.text
    roster = re.search(r'href="(/account/groups/\d+/roster)"', page.text).group(1)
    assert (await client.get(roster)).status_code == 200  # registrars see every roster


async def test_infeasible_constraints_say_which(client, demo):
    await staff_sign_in(client, "registrar@example.org")
    r = await post_form(client, BASE + "/setup", {"min_size": "6", "ideal_size": "6", "max_size": "7",
                                                  "group_count": "", "separate_tracks": "0"})
    assert r.status_code == 303
    r = await post_form(client, BASE + "/rooms", {"rooms": "Cedar\nSpruce"})
    r = await post_form(client, BASE + "/run", {"seed": "1"})
    page = await client.get(r.headers["location"])
    assert "cannot all be met" in page.text and "only 2 rooms are available" in page.text
    r = await post_form(client, BASE + "/setup", {"min_size": "9", "ideal_size": "8", "max_size": "10"})
    assert r.status_code == 422 and "minimum ≤ ideal ≤ maximum" in r.text


async def test_attendee_sees_only_their_own_group(client, demo):
    await sign_in(client, "attendee@example.org")
    page = await client.get("/account/groups")
    avery = await Attendee.select(Attendee.id).where(Attendee.email == "attendee@example.org").first()
    mine = await GroupMember.select(GroupMember.group.number.as_alias("number"), GroupMember.group.room.as_alias("room"),
                                    GroupMember.group.run.status.as_alias("status")).where(
        GroupMember.attendee == avery["id"])
    home = next(m for m in mine if m["status"] == "published")
    assert page.status_code == 200
    assert f"group {home['number']}" in page.text and f"Room: <strong>{home['room']}</strong>" in page.text
    assert page.text.count("my-group") == 1
    maya_group = await _group_led_by("maya@example.org")
    assert (await client.get(f"/account/groups/{maya_group['id']}/roster")).status_code == 403
    assert (await client.get(f"/account/groups/{maya_group['id']}/roster.pdf")).status_code == 403
    other = await Attendee.select(Attendee.id).where(Attendee.email == "blake.novak@example.org").first()
    r = await post_form(client, f"/account/groups/{await _series()}/opt-in",
                        {"attendee": str(other["id"]), "track": "leadership"}, page="/account/groups")
    assert r.status_code == 403
    assert (await client.get("/account/leader-training")).status_code == 200
    await Attendee.update({Attendee.status: "cancelled"}).where(Attendee.id == avery["id"])
    assert "You are not in a small group yet." in (await client.get("/account/groups")).text


async def newcomer(email: str, answer: str = "") -> dict:
    """A registrant of the meeting who signed up after the groups were published, with an account."""
    from confops.accounts.service import create_user
    from confops.core.auth import Role
    from confops.registration.tables import Answer, Question

    avery = await Attendee.select().where(Attendee.email == "attendee@example.org").first()
    row = Attendee(order=avery["order"], event=avery["event"], category=avery["category"], first_name="New",
                   last_name=email.split("@")[0].title(), email=email, institution="Harbor Clinic",
                   profession="nursing", checkin_code=f"code-{email}")
    await row.save()
    await create_user(email, f"New {row.last_name}", roles=[("abs", Role.attendee)])
    if answer:
        question = await Question.select(Question.id).where(
            (Question.event == avery["event"]) & (Question.key == "group_pref")).first()
        await Answer(attendee=row.id, question=question["id"], value=answer).save()
    return {"id": row.id, "event": avery["event"]}


async def test_registrant_opts_in_with_a_track(client, demo):
    morgan = await newcomer("morgan.late@example.org")
    await sign_in(client, "morgan.late@example.org")
    page = await client.get("/account/groups")
    assert "Join the small groups" in page.text
    series = await _series()
    r = await post_form(client, f"/account/groups/{series}/opt-in", {"attendee": str(morgan["id"]), "track": "leadership"})
    assert r.status_code == 303
    row = await GroupParticipant.select().where(GroupParticipant.attendee == morgan["id"]).first()
    assert row["track"] == "leadership"
    assert "You have signed up (leadership practice)" in (await client.get("/account/groups")).text
    r = await post_form(client, f"/account/groups/{series}/opt-in", {"attendee": str(morgan["id"]), "track": "bogus"})
    assert r.status_code == 422 and "experience only or leadership practice" in r.text


async def test_leader_roster_pdf_and_attendance(client, demo):
    maya_group = await _group_led_by("maya@example.org")
    await sign_in(client, "maya@example.org")
    page = await client.get("/account/groups")
    assert f"/account/groups/{maya_group['id']}/roster" in page.text
    roster = await client.get(f"/account/groups/{maya_group['id']}/roster")
    assert roster.status_code == 200
    members = await GroupMember.select(GroupMember.attendee.first_name.as_alias("first"),
                                       GroupMember.attendee.last_name.as_alias("last"),
                                       GroupMember.attendee.institution.as_alias("inst"),
                                       GroupMember.attendee.profession.as_alias("prof"),
                                       GroupMember.attendee.as_alias("id")).where(
        (GroupMember.group == maya_group["id"]) & GroupMember.attendee.is_not_null())
    for m in members:
        assert f"{m['first']} {m['last']}" in roster.text and m["inst"] in roster.text and profession_label(m["prof"]) in roster.text
    assert "case content is never written down" in roster.text
    other = await GroupMember.select(GroupMember.group.as_alias("id")).where(
        (GroupMember.group.run == (await runs.run_of(await _series(), RunStatus.published))["id"])
        & (GroupMember.group != maya_group["id"])).first()
    assert (await client.get(f"/account/groups/{other['id']}/roster")).status_code == 403

    pdf = await client.get(f"/account/groups/{maya_group['id']}/roster.pdf")
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert f"Balint group {maya_group['number']}" in text
    for m in members:
        assert m["last"] in text and m["inst"][:20] in text

    session = (await planning.series_sessions(await _series()))[0]
    url = f"/account/groups/{maya_group['id']}/attendance/{session['id']}"
    here = [str(m["id"]) for m in members[:-1]]
    r = await post_form(client, url, {"present": here}, page=f"/account/groups/{maya_group['id']}/roster")
    assert r.status_code == 409 and "once the meeting has started" in r.text
    with clock.frozen_at(session["starts_at"] + timedelta(minutes=30)):
        r = await post_form(client, url, {"present": here})
    assert r.status_code == 303
    marks = {m["attendee"]: m["present"] for m in await GroupAttendance.select().where(GroupAttendance.session == session["id"])}
    assert marks == {m["id"]: str(m["id"]) in here for m in members}
    assert await LeaderTraining.exists().where((LeaderTraining.email == "maya@example.org") & (LeaderTraining.kind == "led"))


async def test_leader_training_pages(client, demo):
    await sign_in(client, "olga@example.org")
    mine = await client.get("/account/leader-training")
    assert mine.status_code == 200 and "Leader-training intensive" in mine.text and "3 intensives" in mine.text
    await staff_sign_in(client, "checkin@example.org")
    assert (await client.get("/staff/leader-training")).status_code == 403
    await staff_sign_in(client, "registrar@example.org")
    r = await post_form(client, "/staff/leader-training", {"name": "Ольга Смирнова", "email": "olga@example.org",
                                                            "kind": "supervision", "held_on": "not a date"},
                        page="/staff/leader-training")
    assert r.status_code == 422 and "YYYY-MM-DD" in r.text
    r = await post_form(client, "/staff/leader-training", {"name": "Ольга Смирнова", "email": "olga@example.org",
                                                            "kind": "supervision", "held_on": "2026-01-15",
                                                            "title": "Supervision with Maya"})
    assert r.status_code == 303
    page = await client.get("/staff/leader-training")
    assert "olga@example.org" in page.text and "Supervision" in page.text


async def test_setting_up_a_series_rooms_and_leaders(client, demo):
    await staff_sign_in(client, "registrar@example.org")
    base = "/staff/events/balint-theme-day/groups"
    page = await client.get(base)
    assert page.status_code == 200 and "Set up small groups" in page.text
    r = await post_form(client, base + "/setup", {"min_size": "6", "ideal_size": "8", "max_size": "10",
                                                  "separate_tracks": "1"})
    assert r.status_code == 303
    page = await client.get(base)
    assert "Balint groups, round one" in page.text and "Balint groups, round two" in page.text
    r = await post_form(client, base + "/rooms", {"rooms": "Oak\nOak"})
    assert r.status_code == 422 and "Each room may be named once." in r.text
    r = await post_form(client, base + "/rooms", {"rooms": "Oak\nElm\n"})
    assert r.status_code == 303 and "Oak\nElm" in (await client.get(base)).text
    r = await post_form(client, base + "/leaders", {"name": "Pat Leader", "email": "not-an-email",
                                                    "discipline": "physician", "experience": "faculty"})
    assert r.status_code == 422 and "e-mail address" in r.text
    r = await post_form(client, base + "/leaders", {"name": "Pat Leader", "email": "pat@example.org",
                                                    "discipline": "behavioural_health", "experience": "trainee",
                                                    "institution": "Mercy"})
    assert r.status_code == 303
    page = await client.get(base)
    assert "Pat Leader" in page.text and "behavioural health" in page.text and "trainee" in page.text


async def test_a_leader_who_cancels_is_replaced_by_a_spare(client, demo):
    await staff_sign_in(client, "registrar@example.org")
    series = await _series()
    maya = next(x for x in await planning.leaders(series) if x["email"] == "maya@example.org")
    maya_group = await _group_led_by("maya@example.org")
    r = await post_form(client, f"{BASE}/leaders/{maya['id']}/active", {"active": "0"}, page=BASE)
    assert r.status_code == 303 and "no (cancelled)" in (await client.get(BASE)).text
    r = await post_form(client, BASE + "/run", {"seed": "1"})
    groups = {g.number: g for g in await runs.groups_of((await runs.current_run(series))["id"])}
    assert planning.leader_key(maya["id"]) not in {x for g in groups.values() for x in g.leaders}
    assert groups[maya_group["number"]].leaders  # the group still has a leader


async def test_registration_answers_choose_the_track_and_pins_can_be_removed(client, demo):
    leading = await newcomer("leading@example.org", answer="leadership practice group")
    plain = await newcomer("plain@example.org")
    # Every active registrant not yet taking part joins: the two newcomers and whoever else the
    # demo registered (other areas' demo data adds registrants), and no one else.
    active = {a["id"] for a in await Attendee.select(Attendee.id).where(
        (Attendee.event == leading["event"]) & (Attendee.status == "active"))}
    waiting = active - {p["attendee_id"] for p in await planning.participants(await _series())}
    assert {leading["id"], plain["id"]} <= waiting
    await staff_sign_in(client, "registrar@example.org")
    r = await post_form(client, BASE + "/opt-in-all", {}, page=BASE)
    assert r.status_code == 303 and r.headers["location"].endswith(f"note=joined-{len(waiting)}")
    assert {p["attendee_id"] for p in await planning.participants(await _series())} == active
    r = await post_form(client, BASE + "/opt-in-all", {}, page=BASE)
    assert r.status_code == 303 and r.headers["location"].endswith("note=joined-0")
    tracks = {p["email"]: p["track"] for p in await planning.participants(await _series())}
    assert tracks["leading@example.org"] == "leadership" and tracks["plain@example.org"] == "experience"

    world = await runs.load_world(await _series())
    a, b = sorted(world.people)[:2]
    r = await post_form(client, BASE + "/pins", {"person_a": a, "person_b": b, "together": "1"})
    assert r.status_code == 303
    r = await post_form(client, BASE + "/pins", {"person_a": b, "person_b": a, "together": "0"})
    assert r.status_code == 409 and "already pinned" in r.text
    pin = (await planning.pins(await _series()))[0]
    r = await post_form(client, f"{BASE}/pins/{pin['id']}/delete", {})
    assert r.status_code == 303 and await planning.pins(await _series()) == []


async def test_publishing_emails_attendees_their_group(client, demo, deliver, inbox):
    await staff_sign_in(client, "registrar@example.org")
    series = await _series()
    late = await newcomer("late@example.org")
    await planning.opt_in(series, late["id"], "experience")
    r = await post_form(client, BASE + "/run", {"seed": "1"}, page=BASE)
    draft = await runs.current_run(series)
    r = await post_form(client, BASE + "/publish", {"run": str(draft["id"])})
    assert r.status_code == 303 and r.headers["location"].endswith("note=published-1")
    await deliver()
    message = inbox.wait_for("late@example.org")[0]
    line = (await published_lines(late["event"], [late["id"]]))[late["id"]][0]  # "Balint group N · Room R"
    number, room = line.removeprefix("Balint group ").split(" · Room ")
    assert f"group {number}, room {room}" in message.get_body(("plain",)).get_content()


async def test_staff_set_requirements_and_delete_a_record(client, demo):
    await staff_sign_in(client, "registrar@example.org")
    page = await client.get("/staff/leader-training")
    assert "3 intensives, the final one evaluative" in page.text
    r = await post_form(client, "/staff/leader-training/rules", {"intensives": "0", "leading_months": "12",
                                                                 "leading_per_month": "1", "supervision_per_year": "4"})
    assert r.status_code == 422 and "at least 1" in r.text
    r = await post_form(client, "/staff/leader-training/rules", {"intensives": "2", "leading_months": "12",
                                                                 "leading_per_month": "1", "supervision_per_year": "4"})
    assert r.status_code == 303
    page = await client.get("/staff/leader-training")
    assert "Requirements: 2 intensives;" in page.text and "12 consecutive months" in page.text
    record = await LeaderTraining.select(LeaderTraining.id).where(LeaderTraining.email == "olga@example.org").first()
    r = await post_form(client, f"/staff/leader-training/{record['id']}/delete", {})
    assert r.status_code == 303 and not await LeaderTraining.exists().where(LeaderTraining.id == record["id"])

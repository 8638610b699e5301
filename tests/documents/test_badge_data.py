"""Who gets a badge: confirmed attendees (with their signed check-in token), speakers, staff and
group leaders, one badge per person, unpaid registrations set apart; filters; the CLI."""

import io
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from confops.checkin import tokens
from confops.checkin.service import event_key
from confops.core import extension
from confops.core.errors import NotFound
from confops.documents.badge_data import BadgeFilters, badge_data_for_event, badge_roster
from confops.events.tables import Event
from confops.payments.service import record_manual_payment
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.orders import place_order
from confops.registration.tables import HOLDING, Attendee, AttendeeStatus, Order, OrderStatus
from tests.conftest import TEST_SECRET

ROOT = Path(__file__).resolve().parents[2]
SLUG = "abs-national-meeting"
SPEAKERS = ["Berg", "Goldberg", "Lee", "Martínez-Ruiz", "Minh", "Okafor", "Raman", "Whitfield",
            "Παπαδόπουλος", "Смирнова"]


async def register(key: str, first: str, last: str, *, email: str | None = None, category: str = "member",
                   complimentary: bool = True, **extra):
    person = AttendeeIn(category=category, email=email or f"{key}@example.org", first_name=first, last_name=last,
                        answers={"first_meeting": "yes"}, **extra)
    return await place_order(SLUG, OrderIn(buyer_name=f"{first} {last}", buyer_email=person.email,
                                           attendees=[person], idempotency_key=key),
                             hold_minutes=30, base_url="http://testserver.local", complimentary=complimentary)


async def registrations(slug: str = SLUG) -> tuple[list[str], dict[int, str]]:
    """From the database, whatever other areas' demo data holds: the active registrations that
    await payment ("Name (Category)"), and the confirmed ones that get a badge (the first
    registration of each e-mail), as attendee id → category code."""
    rows = await Attendee.select(
        Attendee.id, Attendee.first_name, Attendee.last_name, Attendee.email,
        Attendee.category.code.as_alias("code"), Attendee.category.label.as_alias("label"),
        Attendee.order.status.as_alias("status"),
    ).where((Attendee.event.slug == slug) & (Attendee.status == AttendeeStatus.active.value)).order_by(Attendee.id)
    held = [f"{r['first_name']} {r['last_name']} ({r['label']})" for r in rows if r["status"] in HOLDING]
    confirmed: dict[int, str] = {}
    seen: set[str] = set()
    for r in rows:
        email = (r["email"] or "").strip().casefold()
        if r["status"] == OrderStatus.confirmed.value and email not in seen:
            seen.add(email)
            confirmed[r["id"]] = r["code"]
    return held, confirmed


async def test_roster_has_speakers_staff_and_confirmed_attendees_with_verifiable_tokens(db, demo):
    await register("ines", "Inés", "Quiroga", complimentary=False, credentials="MD")  # awaits payment
    roster = await badge_roster(SLUG, secret_key=TEST_SECRET)
    by_name = {b.full_name: b for b in roster.badges}
    # Orders awaiting payment are set apart for the desk, not printed; every confirmed one gets a badge.
    held, confirmed = await registrations()
    assert "Inés Quiroga (ABS member)" in held and "Inés Quiroga" not in by_name
    assert sorted(str(u) for u in roster.unpaid) == sorted(held)
    assert {b.attendee_id for b in roster.badges if b.attendee_id} == set(confirmed)
    assert [b.last_name for b in roster.badges if b.role in ("faculty", "group_leader")] == SPEAKERS
    samuel = by_name["Samuel Okafor"]
    assert samuel.role == "group_leader" and samuel.group_label == "Balint group leader"
    assert samuel.credentials == "PhD" and samuel.institution == "Rush University Medical Center"
    assert samuel.schedule[0] == "Thu 14:30 G1 Balint small groups, session 1"  # event's local time
    assert samuel.qr_token == "" and samuel.person_key.startswith("speaker-")
    # She speaks, and also leads one of the published Balint groups: group leader is the role shown.
    olga = by_name["Ольга Смирнова"]
    assert olga.role == "group_leader" and olga.event_title and olga.group_label == "Balint group leader"
    assert any(line.startswith("Leads Balint group ") for line in olga.group_lines)
    faculty = [b for b in roster.badges if b.role == "faculty"]
    assert faculty and not any(b.group_label for b in faculty)
    staff = [b for b in roster.badges if b.role == "staff"]
    assert staff and all(b.person_key.startswith("user-") and not b.qr_token for b in staff)

    # Inés pays at the desk: now an attendee badge with the signed token of the current version.
    ines = await Attendee.select(Attendee.id, Attendee.order).where(Attendee.email == "ines@example.org").first()
    order = await Order.select(Order.total_cents).where(Order.id == ines["order"]).first()
    await record_manual_payment(ines["order"], method="door", amount_cents=order["total_cents"], reference="R-1",
                                recorded_by=None)
    roster = await badge_roster(SLUG, secret_key=TEST_SECRET)
    badge = next(b for b in roster.badges if b.full_name == "Inés Quiroga")
    assert (badge.role, badge.category, badge.attendee_id, badge.credentials) == ("attendee", "member", ines["id"], "MD")
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    key = await event_key(event["id"], TEST_SECRET)
    assert tokens.verify(badge.qr_token, key=key, current_version=1).ok
    assert sorted(str(u) for u in roster.unpaid) == sorted(u for u in held if u != "Inés Quiroga (ABS member)")
    with pytest.raises(NotFound):
        await badge_data_for_event("no-such-event", secret_key=TEST_SECRET)


async def test_a_speaker_who_registers_gets_one_badge_with_the_registrations_qr(db, demo):
    await register("okafor", "Sam", "Okafor", email="Samuel@Example.org", pronouns="he/him")
    badges = await badge_data_for_event(SLUG, secret_key=TEST_SECRET)
    # Samuel (speaker) registered as Sam with the same e-mail: one badge, no separate speaker badge.
    # (Other Okafors may be in the demo: Amara leads a small group as an attendee.)
    samuels = [b for b in badges if b.last_name == "Okafor" and b.first_name in ("Sam", "Samuel")]
    assert len(samuels) == 1
    sam = samuels[0]
    assert sam.role == "group_leader" and sam.first_name == "Sam" and sam.pronouns == "he/him"
    assert sam.institution == "Rush University Medical Center"  # filled in from the speaker profile
    assert sam.qr_token and sam.person_key.startswith("attendee-") and sam.schedule


async def test_an_attendees_personal_agenda_is_their_schedule_on_the_back(db, demo):
    from confops.accounts.tables import User
    from confops.events.tables import AgendaItem, Session

    await register("ana", "Ana", "Lima", email="ana@example.org")
    user = await User.select(User.id).where(User.email == "ana@example.org").first()  # made with the order
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    sessions = await Session.select(Session.id, Session.title).where(
        (Session.event == event["id"]) & Session.published.eq(True)).order_by(Session.starts_at, ascending=False).limit(2)
    for session in sessions:
        await AgendaItem(user=user["id"], session=session["id"]).save()
    badges = await badge_data_for_event(SLUG, BadgeFilters(name="ana lima"), secret_key=TEST_SECRET)
    (ana,) = badges
    assert len(ana.schedule) == 2 and ana.schedule[1].endswith(sessions[0]["title"])  # in time order


async def test_small_group_lines_come_from_the_groups_provider(db, demo):
    placed = await register("ana", "Ana", "Lima")
    attendee = await Attendee.select(Attendee.id).where(Attendee.order == placed.id).first()
    asked = []

    @extension.provides("badge_back_lines")
    async def groups(event_id, attendee_ids):
        asked.append(sorted(attendee_ids))
        return {aid: ["Small group 3 — Room B", "Leaders: Okafor & Goldberg"] for aid in attendee_ids}

    try:
        badges = await badge_data_for_event(SLUG, secret_key=TEST_SECRET)
    finally:
        extension._providers["badge_back_lines"].remove(groups)
    ana = next(b for b in badges if b.full_name == "Ana Lima")
    assert ana.group_lines == ("Small group 3 — Room B", "Leaders: Okafor & Goldberg")
    # One question for every registered person on a badge (the demo's attendees too), Ana among them.
    assert asked == [sorted(b.attendee_id for b in badges if b.attendee_id)] and attendee["id"] in asked[0]


async def test_filters_by_role_category_name_and_not_yet_printed(db, demo):
    from confops.badges.printing import print_badges
    from confops.documents.layouts import load_layout

    await register("zoe", "Zoë", "Ångström", category="member")
    await register("phuong", "Phương", "Trần", category="resident")
    leaders = await badge_data_for_event(SLUG, BadgeFilters(roles=frozenset({"group_leader"})), secret_key=TEST_SECRET)
    # The program's group-session leaders, and the leaders of the published small groups.
    event_id = (await Event.select(Event.id).where(Event.slug == SLUG).first())["id"]
    pool = {p.name for answer in await extension.collect("badge_people", event_id=event_id) for p in answer}
    assert pool and {b.full_name for b in leaders} == {"Samuel Okafor", "Maya Goldberg"} | pool
    residents = await badge_data_for_event(SLUG, BadgeFilters(categories=frozenset({"resident"})), secret_key=TEST_SECRET)
    _, confirmed = await registrations()
    assert "Phương Trần" in [b.full_name for b in residents] and all(b.category == "resident" for b in residents)
    assert {b.attendee_id for b in residents} == {i for i, code in confirmed.items() if code == "resident"}
    by_name = await badge_data_for_event(SLUG, BadgeFilters(name="angstr"), secret_key=TEST_SECRET)
    assert [b.full_name for b in by_name] == ["Zoë Ångström"]

    layout = load_layout("badge-4x3")
    attendees = await badge_data_for_event(SLUG, BadgeFilters(roles=frozenset({"attendee"})), secret_key=TEST_SECRET)
    assert {"Zoë Ångström", "Phương Trần"} <= {b.full_name for b in attendees}
    first = await print_badges(SLUG, io.BytesIO(), layout, BadgeFilters(roles=frozenset({"attendee"})),
                               secret_key=TEST_SECRET, printed_by=None)
    assert first.badges == len(attendees) and first.pages == -(-len(attendees) // layout.per_page)
    fresh = BadgeFilters(not_printed=True, roles=frozenset({"attendee"}))
    assert await badge_data_for_event(SLUG, fresh, secret_key=TEST_SECRET) == []
    # A transfer or revocation bumps the token version: the printed badge no longer counts.
    await Attendee.update({Attendee.token_version: 2}).where(Attendee.first_name == "Zoë")
    again = await badge_data_for_event(SLUG, fresh, secret_key=TEST_SECRET)
    assert [b.full_name for b in again] == ["Zoë Ångström"] and again[0].token_version == 2


def _confops(*args, env):
    return subprocess.run([sys.executable, "-m", "confops.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=180)


def _held_in(database: Path) -> list[str]:
    """Names on the event's registrations awaiting payment, read from the CLI's SQLite file."""
    with sqlite3.connect(database) as con:
        rows = con.execute(
            f'SELECT a.first_name, a.last_name FROM {Attendee._meta.tablename} a '
            f'JOIN {Order._meta.tablename} o ON o.id = a."order" JOIN {Event._meta.tablename} e ON e.id = a.event '
            f"WHERE e.slug = ? AND a.status = ? AND o.status IN ({', '.join('?' for _ in HOLDING)})",
            (SLUG, AttendeeStatus.active.value, *HOLDING)).fetchall()
    return [f"{first} {last}" for first, last in rows]


def _printed(result) -> tuple[int, int]:
    badges, pages = re.search(r"(\d+) badges on (\d+) pages", result.stdout).groups()
    return int(badges), int(pages)


def test_badges_command_prints_the_event_with_a_progress_bar(tmp_path):
    env = {"CONFOPS_VAR_DIR": str(tmp_path), "CONFOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "CONFOPS_ENV": "development"}
    assert _confops("migrate", env=env).returncode == 0
    assert _confops("demo", env=env).returncode == 0
    out = tmp_path / "badges.pdf"
    done = _confops("badges", SLUG, "--layout", "avery-5392", "--out", str(out), "--role", "faculty",
                    "--role", "group_leader", env=env)
    assert done.returncode == 0, done.stderr
    assert "10 badges on 2 pages (avery-5392)" in done.stdout and "Badges" in done.stderr
    held = _held_in(tmp_path / "cli.db")
    if held:  # listed for the desk, not printed
        assert "Not printed, awaiting payment: " in done.stderr and all(name in done.stderr for name in held)
    else:
        assert "awaiting payment" not in done.stderr
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 2 and "Αλέξανδρος" in reader.pages[1].extract_text()

    leaders = _confops("badges", SLUG, "--layout", "badge-4x6-duplex", "--role", "group_leader",
                       "--out", str(out), env=env)
    # Samuel and Maya lead the program's group sessions; four more lead the published small groups.
    assert leaders.returncode == 0 and "6 badges on 6 pages" in leaders.stdout
    named = _confops("badges", SLUG, "--name", "смирн", "--out", str(out), env=env)
    assert named.returncode == 0 and "1 badges on 1 pages" in named.stdout
    everyone_else = _confops("badges", SLUG, "--not-printed", "--out", str(out), env=env)
    assert everyone_else.returncode == 0, everyone_else.stderr
    rest, rest_pages = _printed(everyone_else)  # staff and attendees; the speakers were printed above
    assert rest > 0 and rest_pages == rest  # badge-4x3: one badge a page
    assert "Αλέξανδρος" not in "".join(page.extract_text() for page in PdfReader(io.BytesIO(out.read_bytes())).pages)
    everyone = _confops("badges", SLUG, "--out", str(out), env=env)
    assert everyone.returncode == 0 and _printed(everyone)[0] == rest + 10
    nobody = _confops("badges", SLUG, "--not-printed", "--out", str(out), env=env)
    assert nobody.returncode != 0 and "Nobody to print" in nobody.stderr

    bad = tmp_path / "bad.toml"
    bad.write_text("[page]\nsize = 'letter'\n")
    refused = _confops("badges", SLUG, "--layout", str(bad), "--out", str(out), env=env)
    assert refused.returncode != 0 and f"{bad}: grid: is required" in refused.stderr
    missing = _confops("badges", "nope", "--out", str(out), env=env)
    assert missing.returncode != 0 and "no event called 'nope'" in missing.stderr

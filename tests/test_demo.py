from confops.accounts.tables import Organizer, RoleGrant, User
from confops.core.auth import Role
from confops.db import all_tables
from confops.demo.abs import _demo_password_hash, load_demo
from confops.events.tables import Event, Room, Session, Track
from confops.speakers.tables import Speaker
from tests.support.databases import run_sync


async def _counts() -> dict[str, int]:
    return {t._meta.tablename: await t.count() for t in all_tables()}


def test_demo_twice_changes_nothing(db):
    first = run_sync(load_demo())
    before = run_sync(_counts())
    snapshot = run_sync(Session.select().order_by(Session.id))
    users = run_sync(User.select().order_by(User.id))
    _demo_password_hash.cache_clear()  # as a new process would: a fresh salt must not reset passwords
    second = run_sync(load_demo())
    assert first.created > 100 and second.created == 0
    assert run_sync(_counts()) == before
    assert run_sync(Session.select().order_by(Session.id)) == snapshot
    assert run_sync(User.select().order_by(User.id)) == users


async def test_demo_has_what_the_society_runs(db, demo):
    org = await Organizer.select().where(Organizer.slug == "abs").first()
    assert org["founded_year"] == 1990 and "501(c)(3)" in org["nonprofit_status"]
    assert "Empathy" in org["core_values"]
    kinds = {e["kind"] for e in await Event.select(Event.kind)}
    assert {"national_meeting", "theme_day", "intensive", "online_series"} <= kinds

    meeting = await Event.select().where(Event.slug == "abs-national-meeting").first()
    sessions = await Session.select().where(Session.event == meeting["id"])
    assert 22 <= len(sessions) <= 30
    assert await Room.count().where(Room.event == meeting["id"]) == 4
    assert await Track.count().where(Track.event == meeting["id"]) == 2
    by_kind = {s["kind"] for s in sessions}
    assert {"plenary", "workshop", "balint_group", "break", "meal"} <= by_kind
    assert len({s["starts_at"].date() for s in sessions}) == 3
    # two parallel workshops share a slot in different rooms
    workshops = [s for s in sessions if s["kind"] == "workshop" and s["track"]]
    starts = [s["starts_at"] for s in workshops]
    assert any(starts.count(t) == 2 for t in starts)

    intensive = await Event.select().where(Event.slug == "leader-training-intensive").first()
    groups = await Session.count().where((Session.event == intensive["id"]) & (Session.kind == "balint_group"))
    assert groups == 9
    series = await Event.select().where(Event.slug == "online-residents-group").first()
    assert await Session.count().where(Session.event == series["id"]) == 8 and series["online"]

    assert await Speaker.count() >= 6
    for role in (Role.admin, Role.registrar, Role.checkin, Role.cme_coordinator):
        assert await RoleGrant.exists().where(RoleGrant.role == role.value), role
    assert await User.exists().where(User.email == "admin@example.org")


async def test_the_national_meeting_is_ready_for_a_staff_walk_through(db, demo):
    """What `make run`'s demo shows staff: paid people with badges, the door lists and a paired
    device, a morning of check-ins on the dashboard, published small groups and a CME designation."""
    from confops.checkin.tables import CheckinList, ScannerDevice
    from confops.cme.tables import CmeActivity
    from confops.core.extension import collect
    from confops.documents.badge_data import badge_roster
    from confops.groups import planning, runs
    from confops.groups.kinds import RunStatus
    from confops.registration.mine import confirmed_registrant_emails
    from tests.conftest import TEST_SECRET

    meeting = await Event.select().where(Event.slug == "abs-national-meeting").first()
    paid = await confirmed_registrant_emails(meeting["id"])
    assert {"kai@example.org", "amara.okafor@example.org", "hana.sato@example.org"} <= set(paid)
    roster = await badge_roster("abs-national-meeting", secret_key=TEST_SECRET)
    assert {("Amara", "Okafor"), ("Hana", "Sato")} <= {(b.first_name, b.last_name) for b in roster.badges}
    attendees = [b for b in roster.badges if b.attendee_id is not None]
    assert len(attendees) >= 40 and all(b.qr_token for b in attendees)
    assert any(b.role == "faculty" for b in roster.badges) and any(b.role == "staff" for b in roster.badges)
    assert any("Jo Mensah" in u.name for u in roster.unpaid)  # awaits payment: no badge yet
    assert not any(b.last_name == "Mensah" and b.first_name == "Jo" for b in roster.badges)

    lists = await CheckinList.select().where(CheckinList.event == meeting["id"]).order_by(CheckinList.day)
    assert len(lists) == 3 and all(lst["kind"] == "entry" for lst in lists)
    assert await ScannerDevice.exists().where(
        (ScannerDevice.event == meeting["id"]) & (ScannerDevice.name == "Registration desk")
        & ScannerDevice.revoked_at.is_null())
    panels = {p.key: p for group in await collect("dashboard_panels", event_id=meeting["id"]) for p in group}
    curve = panels[f"checkin-{lists[0]['id']}"]
    # one cumulative point per quarter hour with check-ins; the first desk check-in, 07:41, is in 07:30's
    counts = [n for _, n in curve.data]
    assert curve.kind == "line" and counts[-1] == 8 and counts == sorted(set(counts)), curve.data
    # labelled as a clock reads ("7:30 am")
    assert all(t.split()[0][-2:] in ("00", "15", "30", "45") for t, _ in curve.data), curve.data
    assert curve.data[0][0] == "7:30 am", curve.data

    series = await planning.series_of(meeting["id"])
    assert series and await runs.run_of(series["id"], RunStatus.published)
    assert len(await planning.participants(series["id"])) >= 30

    assert await CmeActivity.exists().where(CmeActivity.event == meeting["id"])
    assert "AMA PRA Category 1 Credit" in meeting["cme_designation_statement"] and meeting["cme_max_credit_quarters"]


async def test_every_demo_profession_is_a_form_code_shown_as_its_label(db, demo):
    """The profession chart and the lists show one label per profession: every attendee of the
    demo carries one of the form's codes (or none), never free text beside the codes."""
    from confops.events.labels import PROFESSION
    from confops.registration.intake import PROFESSIONS
    from confops.registration.tables import Attendee

    stored = {r["profession"] for r in await Attendee.select(Attendee.profession)}
    assert stored - {""} <= set(PROFESSIONS), sorted(stored - set(PROFESSIONS))
    assert set(PROFESSIONS) <= set(PROFESSION)  # and each code has its label

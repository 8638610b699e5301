"""The demo organizer: the American Balint Society with a year of meetings.

Dates are set relative to the day the demo is first loaded, so a fresh demo always has
upcoming events; every row is found by its natural key first, so loading twice changes nothing.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from piccolo.table import Table

from confops.accounts.passwords import hash_password
from confops.accounts.service import create_user
from confops.accounts.tables import Organizer, User
from confops.core import clock
from confops.core.auth import Role
from confops.core.clock import zone
from confops.db import transaction
from confops.demo.backoffice import load_backoffice_demo
from confops.demo.checkin import load_checkin_demo, load_checkin_scans_demo
from confops.demo.cme import load_cme_demo
from confops.demo.groups import load_groups_demo
from confops.demo.payments import load_payments_demo
from confops.demo.registration import load_registration_demo
from confops.demo.rows import ensure_row
from confops.demo.series import load_series_demo
from confops.demo.speakers import load_speakers_demo
from confops.events.kinds import EventKind, EventStatus, SessionKind
from confops.events.tables import Event, Room, Session, Track
from confops.speakers.tables import SessionSpeaker, Speaker

DEMO_PASSWORD = "confops-demo"

ABS = {
    "name": "American Balint Society",
    "short_name": "ABS",
    "mission": (
        "To develop and support Balint group leaders and members, to promote participation in "
        "Balint groups, and to teach and study the nature, use and effectiveness of Balint groups."
    ),
    "vision": (
        "Every clinician has a place to reflect on the clinician–patient relationship, with "
        "colleagues, in a group that is safe, curious and kind."
    ),
    "core_values": "Authenticity\nCollective wisdom\nCompassion\nEmpathy\nHope\nLifelong learning\nReflection",
    "inclusion_statement": (
        "We welcome clinicians of every race, ethnicity, culture, sexual orientation, age, "
        "professional role, socioeconomic status, ability and spiritual belief, and we care for "
        "clinician well-being and resilience."
    ),
    "affiliations": "Member society of the International Balint Federation",
    "founded_year": 1990,
    "nonprofit_status": "501(c)(3) non-profit organization",
    "tax_id": "",
    "address": "American Balint Society\nColbert, WA\nUSA",
    "city": "Colbert",
    "region": "WA",
    "country": "US",
    "email": "info@example.org",
    "website": "https://www.americanbalintsociety.org",
    "logo_path": "",
}

SPEAKERS = [
    # key, first, last, credentials, pronouns, institution, city, bio
    ("maya", "Maya", "Goldberg", "MD", "she/her", "University of Washington Family Medicine", "Seattle, WA",
     "Family physician and ABS-credentialed Balint leader; leads resident groups since 2009."),
    ("samuel", "Samuel", "Okafor", "PhD", "he/him", "Rush University Medical Center", "Chicago, IL",
     "Clinical psychologist who co-leads Balint groups and studies clinician burnout."),
    ("jose", "José", "Martínez-Ruiz", "MD", "he/him", "UT Health San Antonio", "San Antonio, TX",
     "Internist and medical educator; co-founded a bilingual Balint group."),
    ("minh", "Nguyễn Thị", "Minh", "LCSW", "she/her", "Kaiser Permanente", "Oakland, CA",
     "Clinical social worker and group psychotherapist."),
    ("alexandros", "Αλέξανδρος", "Παπαδόπουλος", "MD", "he/him", "University of Athens", "Athens, Greece",
     "Psychiatrist and leader in the Hellenic Balint society."),
    ("olga", "Ольга", "Смирнова", "DO", "she/her", "Cleveland Clinic", "Cleveland, OH",
     "Osteopathic family physician; Balint leader in training."),
    ("jordan", "Jordan", "Lee", "LCSW", "they/them", "Oregon Health & Science University", "Portland, OR",
     "Behavioural-health faculty in a family medicine residency."),
    ("priya", "Priya", "Raman", "MD", "she/her", "Duke University", "Durham, NC",
     "Paediatrician; researches empathy in medical training."),
    ("daniel", "Daniel", "Whitfield", "MD, PhD", "he/him", "University of Rochester", "Rochester, NY",
     "Psychiatrist; past president of a regional Balint group network."),
    ("hannah", "Hannah", "Berg", "RN, MSN", "she/her", "Johns Hopkins Hospital", "Baltimore, MD",
     "Nurse educator bringing Balint work to nursing teams."),
]

STAFF = [
    ("admin@example.org", "Alex Admin", Role.admin),
    ("registrar@example.org", "Rita Registrar", Role.registrar),
    ("checkin@example.org", "Chris Check-in", Role.checkin),
    ("cme@example.org", "Casey CME Coordinator", Role.cme_coordinator),
]


@dataclass
class DemoResult:
    created: int = 0
    existing: int = 0


class _Loader:
    def __init__(self) -> None:
        self.result = DemoResult()

    async def ensure(self, table: type[Table], key: dict, values: dict | None = None) -> int:
        row_id, created = await ensure_row(table, key, values)
        if created:
            self.result.created += 1
        else:
            self.result.existing += 1
        return row_id


@functools.cache
def _demo_password_hash() -> str:
    """Hashing is slow on purpose; the demo accounts share one password, so hash it once."""
    return hash_password(DEMO_PASSWORD)


def _next_weekday(start: date, weekday: int) -> date:
    return start + timedelta(days=(weekday - start.weekday()) % 7)


def _at(day: date, hh: int, mm: int, tz: str) -> datetime:
    return datetime.combine(day, time(hh, mm), tzinfo=zone(tz))


async def load_demo() -> DemoResult:
    loader = _Loader()
    async with transaction():
        org = await loader.ensure(Organizer, {"slug": "abs"}, ABS)
        speakers = {}
        for key, first, last, cred, pronouns, inst, city, bio in SPEAKERS:
            speakers[key] = await loader.ensure(
                Speaker,
                {"organizer": org, "email": f"{key}@example.org"},
                {"first_name": first, "last_name": last, "credentials": cred, "pronouns": pronouns,
                 "institution": inst, "city_region": city, "bio": bio},
            )
        today = clock.now().date()
        await _national_meeting(loader, org, speakers, _next_weekday(today + timedelta(days=150), 3),
                                "abs-national-meeting", EventStatus.published)
        await _national_meeting(loader, org, speakers, _next_weekday(today - timedelta(days=600), 3),
                                "abs-national-meeting-previous", EventStatus.closed)
        await _theme_day(loader, org, speakers, _next_weekday(today + timedelta(days=60), 2))
        await _intensive(loader, org, speakers, _next_weekday(today + timedelta(days=240), 3))
        await _online_series(loader, org, speakers, today)
        await _course(loader, org, speakers, _next_weekday(today + timedelta(days=100), 4))
    for email, name, role in STAFF:
        # Set the demo password only on accounts the demo creates: never reset a changed one.
        known = await User.exists().where(User.email == email)
        created = await create_user(email, name, password_hash=None if known else _demo_password_hash(),
                                    roles=[("abs", role)])
        loader.result.created += int(created.created)
        loader.result.existing += int(not created.created)
    for key, first, last, *_ in SPEAKERS:
        created = await create_user(f"{key}@example.org", f"{first} {last}", roles=[("abs", Role.speaker)])
        loader.result.created += int(created.created)
        loader.result.existing += int(not created.created)
    created = await create_user("attendee@example.org", "Avery Attendee", roles=[("abs", Role.attendee)])
    loader.result.created += int(created.created)
    loader.result.existing += int(not created.created)
    await load_registration_demo()
    loader.result.created += await load_series_demo()
    loader.result.created += await load_speakers_demo()
    loader.result.created += await load_groups_demo()
    loader.result.created += await load_payments_demo()
    loader.result.created += await load_cme_demo()
    loader.result.created += await load_checkin_demo()
    loader.result.created += await load_backoffice_demo()
    loader.result.created += await load_checkin_scans_demo()
    return loader.result


async def _session(loader: _Loader, event: int, code: str, title: str, kind: SessionKind, start: datetime,
                   minutes: int, room: int | None, track: int | None = None, speakers=(), credit_quarters=None,
                   abstract: str = "", capacity: int | None = None) -> int:
    educational = kind not in (SessionKind.break_, SessionKind.meal)
    if credit_quarters is None:
        credit_quarters = (minutes // 15) if educational else 0
    session = await loader.ensure(
        Session, {"event": event, "code": code},
        {"title": title, "kind": kind.value, "starts_at": start, "ends_at": start + timedelta(minutes=minutes),
         "room": room, "track": track, "credit_quarters": credit_quarters, "abstract": abstract,
         "capacity": capacity},
    )
    for position, (speaker, role) in enumerate(speakers):
        await loader.ensure(SessionSpeaker, {"session": session, "speaker": speaker, "role": role},
                            {"position": position})
    return session


async def _national_meeting(loader, org, sp, thursday: date, slug: str, status: EventStatus) -> None:
    tz = "America/Los_Angeles"
    year = thursday.year
    event = await loader.ensure(Event, {"slug": slug}, {
        "organizer": org, "title": f"ABS National Meeting {year}", "kind": EventKind.national_meeting.value,
        "status": status.value, "timezone": tz,
        "summary": "Three days of plenaries, workshops and daily Balint small groups for clinicians and educators.",
        "description": ("The biennial gathering of the American Balint Society. Participants stay in the same "
                        "small Balint group for all group sessions; workshops run in two parallel tracks."),
        "starts_at": _at(thursday, 12, 0, tz), "ends_at": _at(thursday + timedelta(days=2), 13, 0, tz),
        "venue_name": "Harborview Conference Center", "venue_address": "1500 Commerce St, Tacoma, WA",
        "city": "Tacoma", "region": "WA", "capacity": 180,
        "registration_opens_at": _at(thursday - timedelta(days=200), 9, 0, tz),
        "registration_closes_at": _at(thursday - timedelta(days=2), 23, 59, tz),
        "edit_deadline": _at(thursday - timedelta(days=7), 23, 59, tz),
        "cme_enabled": True, "cme_max_credit_quarters": 58, "cme_provider": "American Balint Society",
        "cme_accreditation_statement": ("This activity has been planned and implemented in accordance with the "
                                        "accreditation requirements and policies of the ACCME."),
        "cme_designation_statement": ("The American Balint Society designates this live activity for a maximum of "
                                      "14.5 AMA PRA Category 1 Credit(s)™. Physicians should claim only the credit "
                                      "commensurate with the extent of their participation in the activity."),
        "cme_evaluation_required": True,
    })
    rooms = {}
    for pos, (name, cap, access) in enumerate([
        ("Plenary Hall", 200, "Step-free; hearing loop"), ("Cedar Room", 60, "Step-free"),
        ("Spruce Room", 60, "Step-free"), ("Group Suite", 100, "Step-free; quiet room next door"),
    ]):
        rooms[name] = await loader.ensure(Room, {"event": event, "name": name},
                                          {"capacity": cap, "accessibility": access, "position": pos})
    clinical = await loader.ensure(Track, {"event": event, "name": "Clinical practice"}, {"color": "#1f5f63", "position": 0})
    teaching = await loader.ensure(Track, {"event": event, "name": "Leading and teaching"}, {"color": "#6b4e8a", "position": 1})
    P, W, G, D, B, M = (SessionKind.plenary, SessionKind.workshop, SessionKind.balint_group,
                        SessionKind.demonstration, SessionKind.break_, SessionKind.meal)
    d1, d2, d3 = thursday, thursday + timedelta(days=1), thursday + timedelta(days=2)
    hall, cedar, spruce, groups = rooms["Plenary Hall"], rooms["Cedar Room"], rooms["Spruce Room"], rooms["Group Suite"]
    leaders = [(sp["maya"], "group_leader"), (sp["samuel"], "co_leader")]
    plan = [
        ("M1", "Registration and lunch", M, d1, 12, 0, 60, hall, None, []),
        ("P1", "Opening plenary: The doctor, the patient and the illness, seventy years on", P, d1, 13, 0, 75, hall, None,
         [(sp["daniel"], "presenter")]),
        ("G1", "Balint small groups, session 1", G, d1, 14, 30, 90, groups, None, leaders),
        ("B1", "Break", B, d1, 16, 0, 15, None, None, []),
        ("W1", "Starting a Balint group in a residency", W, d1, 16, 15, 75, cedar, teaching, [(sp["jordan"], "presenter")]),
        ("W2", "When the patient reminds us of someone", W, d1, 16, 15, 75, spruce, clinical, [(sp["priya"], "presenter")]),
        ("M2", "Welcome dinner", M, d1, 18, 0, 90, hall, None, []),
        ("M3", "Breakfast", M, d2, 7, 30, 60, hall, None, []),
        ("P2", "Keynote: Empathy, fatigue and the reflective clinician", P, d2, 8, 30, 60, hall, None,
         [(sp["samuel"], "presenter"), (sp["maya"], "moderator")]),
        ("G2", "Balint small groups, session 2", G, d2, 9, 45, 90, groups, None, leaders),
        ("M4", "Lunch", M, d2, 11, 15, 60, hall, None, []),
        ("W3", "Co-leading across disciplines", W, d2, 12, 30, 75, cedar, teaching,
         [(sp["minh"], "presenter"), (sp["jose"], "presenter")]),
        ("W4", "Balint work with nurses and allied health teams", W, d2, 12, 30, 75, spruce, clinical, [(sp["hannah"], "presenter")]),
        ("B2", "Break", B, d2, 13, 45, 15, None, None, []),
        ("D1", "Demonstration group (fishbowl) with reflection", D, d2, 14, 0, 90, hall, None,
         [(sp["alexandros"], "group_leader"), (sp["jordan"], "co_leader")]),
        ("W5", "Research on Balint groups: what we know", W, d2, 15, 45, 75, cedar, teaching, [(sp["priya"], "presenter")]),
        ("W6", "Language, culture and the consultation", W, d2, 15, 45, 75, spruce, clinical, [(sp["jose"], "presenter")]),
        ("M5", "Breakfast", M, d3, 7, 30, 60, hall, None, []),
        ("G3", "Balint small groups, session 3", G, d3, 8, 30, 90, groups, None, leaders),
        ("B3", "Break", B, d3, 10, 0, 15, None, None, []),
        ("W7", "Supervising new leaders", W, d3, 10, 15, 60, cedar, teaching, [(sp["olga"], "presenter")]),
        ("W8", "Caring for the carers: well-being and resilience", W, d3, 10, 15, 60, spruce, clinical, [(sp["hannah"], "presenter")]),
        ("P3", "Closing plenary and reflections", P, d3, 11, 30, 60, hall, None, [(sp["maya"], "presenter")]),
        ("M6", "Farewell lunch", M, d3, 12, 30, 30, hall, None, []),
        ("G0", "Balint small groups: orientation for first-time members", W, d1, 13, 0, 75, groups, teaching,
         [(sp["olga"], "presenter")]),
    ]
    for code, title, kind, day, hh, mm, minutes, room, track, people in plan:
        await _session(loader, event, code, title, kind, _at(day, hh, mm, tz), minutes, room, track, people)


async def _theme_day(loader, org, sp, day: date) -> None:
    tz = "America/Chicago"
    event = await loader.ensure(Event, {"slug": "balint-theme-day"}, {
        "organizer": org, "title": "Balint Theme Day at the Family Medicine Education Conference",
        "kind": EventKind.theme_day.value, "status": EventStatus.published.value, "timezone": tz,
        "summary": "One day of Balint groups and leadership skills, attached to a national family medicine meeting.",
        "description": "Open to conference attendees and guests; no prior Balint experience needed.",
        "starts_at": _at(day, 8, 30, tz), "ends_at": _at(day, 16, 30, tz),
        "venue_name": "Minneapolis Convention Center", "venue_address": "1301 2nd Ave S, Minneapolis, MN",
        "city": "Minneapolis", "region": "MN", "capacity": 60, "cme_enabled": True,
        "cme_max_credit_quarters": 24, "cme_provider": "American Balint Society",
        "registration_opens_at": _at(day - timedelta(days=90), 9, 0, tz),
        "registration_closes_at": _at(day - timedelta(days=1), 17, 0, tz),
    })
    room = await loader.ensure(Room, {"event": event, "name": "Room 101"}, {"capacity": 60})
    await _session(loader, event, "T1", "What is a Balint group?", SessionKind.plenary, _at(day, 8, 30, tz), 60,
                   room, speakers=[(sp["maya"], "presenter")])
    await _session(loader, event, "T2", "Balint groups, round one", SessionKind.balint_group, _at(day, 9, 45, tz), 90,
                   room, speakers=[(sp["samuel"], "group_leader"), (sp["priya"], "co_leader")])
    await _session(loader, event, "T3", "Lunch", SessionKind.meal, _at(day, 11, 15, tz), 60, room)
    await _session(loader, event, "T4", "Balint groups, round two", SessionKind.balint_group, _at(day, 12, 30, tz), 90,
                   room, speakers=[(sp["samuel"], "group_leader"), (sp["priya"], "co_leader")])
    await _session(loader, event, "T5", "Leading your first group", SessionKind.workshop, _at(day, 14, 15, tz), 120,
                   room, speakers=[(sp["jordan"], "presenter")])


async def _intensive(loader, org, sp, thursday: date) -> None:
    tz = "America/New_York"
    event = await loader.ensure(Event, {"slug": "leader-training-intensive"}, {
        "organizer": org, "title": "Balint Leader-Training Intensive", "kind": EventKind.intensive.value,
        "status": EventStatus.published.value, "timezone": tz,
        "summary": "Thursday afternoon to Sunday noon: nine group sessions of Balint work and reflection on leading.",
        "description": ("Each 90-minute session is 45 minutes of Balint work followed by 45 minutes of reflection "
                        "on leading. Groups are co-led by a physician and a behavioural-health specialist."),
        "starts_at": _at(thursday, 13, 0, tz), "ends_at": _at(thursday + timedelta(days=3), 12, 0, tz),
        "venue_name": "Stone Ridge Retreat Center", "venue_address": "2495 Fox Gap Rd, Bangor, PA",
        "city": "Bangor", "region": "PA", "capacity": 40, "cme_enabled": True, "cme_max_credit_quarters": 84,
        "cme_provider": "American Balint Society",
        "registration_opens_at": _at(thursday - timedelta(days=180), 9, 0, tz),
        "registration_closes_at": _at(thursday - timedelta(days=14), 23, 59, tz),
    })
    room = await loader.ensure(Room, {"event": event, "name": "Main House"}, {"capacity": 40})
    times = [(0, 13, 30), (0, 15, 30), (1, 9, 0), (1, 11, 0), (1, 14, 0), (2, 9, 0), (2, 11, 0), (2, 14, 0), (3, 9, 0)]
    for n, (offset, hh, mm) in enumerate(times, start=1):
        await _session(loader, event, f"I{n}", f"Group session {n}: Balint work and reflection on leading",
                       SessionKind.balint_group, _at(thursday + timedelta(days=offset), hh, mm, tz), 90, room,
                       speakers=[(sp["daniel"], "group_leader"), (sp["minh"], "co_leader")])
    await _session(loader, event, "I10", "Closing circle", SessionKind.plenary,
                   _at(thursday + timedelta(days=3), 11, 0, tz), 60, room, speakers=[(sp["daniel"], "presenter")])


async def _online_series(loader, org, sp, today: date) -> None:
    tz = "America/New_York"
    first_of_next = (today.replace(day=1) + timedelta(days=32)).replace(day=1)
    days = []  # the second Tuesday of each of the next eight months
    month = first_of_next
    for _ in range(8):
        days.append(_next_weekday(month, 1) + timedelta(days=7))
        month = (month + timedelta(days=32)).replace(day=1)
    first = days[0]
    event = await loader.ensure(Event, {"slug": "online-residents-group"}, {
        "organizer": org, "title": "Monthly Online Balint Group for Residents", "kind": EventKind.online_series.value,
        "status": EventStatus.published.value, "timezone": tz, "online": True,
        "summary": "Eight monthly evening sessions online; the group runs once eight members have enrolled.",
        "description": "Attending six of the eight sessions meets the attendance requirement for board credit.",
        "starts_at": _at(first, 19, 0, tz), "ends_at": _at(days[-1], 20, 30, tz), "capacity": 10,
        "cme_enabled": True, "cme_max_credit_quarters": 48, "cme_provider": "American Balint Society",
        "registration_opens_at": _at(today - timedelta(days=10), 9, 0, tz),
        "registration_closes_at": _at(first - timedelta(days=1), 23, 59, tz),
    })
    for n, day in enumerate(days, start=1):
        await _session(loader, event, f"S{n}", f"Session {n} of 8", SessionKind.balint_group, _at(day, 19, 0, tz), 90,
                       None, speakers=[(sp["jordan"], "group_leader"), (sp["olga"], "co_leader")])


async def _course(loader, org, sp, friday: date) -> None:
    """A course: two days of teaching for people about to lead their first Balint group."""
    tz = "America/Chicago"
    event = await loader.ensure(Event, {"slug": "balint-leadership-course"}, {
        "organizer": org, "title": "Foundations of Balint Group Leadership (course)", "kind": EventKind.course.value,
        "status": EventStatus.published.value, "timezone": tz,
        "summary": "A two-day course for clinicians about to lead or co-lead their first Balint group.",
        "description": ("Short talks, a demonstration group and supervised practice in leading.\n\n"
                        "- Friday: the task of the leader, keeping the frame\n"
                        "- Saturday: practice leading, with feedback"),
        "starts_at": _at(friday, 9, 0, tz), "ends_at": _at(friday + timedelta(days=1), 16, 0, tz),
        "venue_name": "Rush University Medical Center", "venue_address": "1620 W Harrison St, Chicago, IL",
        "city": "Chicago", "region": "IL", "capacity": 24,
        "registration_opens_at": _at(friday - timedelta(days=120), 9, 0, tz),
        "registration_closes_at": _at(friday - timedelta(days=3), 23, 59, tz),
    })
    room = await loader.ensure(Room, {"event": event, "name": "Room 520"}, {"capacity": 24})
    plan = [("C1", "The task of the leader", SessionKind.plenary, 0, 9, 0, 90, [(sp["samuel"], "presenter")]),
            ("C2", "Demonstration group with reflection", SessionKind.demonstration, 0, 11, 0, 90,
             [(sp["maya"], "group_leader"), (sp["samuel"], "co_leader")]),
            ("C3", "Lunch", SessionKind.meal, 0, 12, 30, 60, []),
            ("C4", "Keeping the frame", SessionKind.workshop, 0, 13, 30, 120, [(sp["jordan"], "presenter")]),
            ("C5", "Practice leading, round one", SessionKind.balint_group, 1, 9, 0, 120,
             [(sp["maya"], "group_leader")]),
            ("C6", "Practice leading, round two", SessionKind.balint_group, 1, 13, 0, 120,
             [(sp["samuel"], "group_leader")])]
    for code, title, kind, offset, hh, mm, minutes, people in plan:
        await _session(loader, event, code, title, kind, _at(friday + timedelta(days=offset), hh, mm, tz), minutes,
                       room, speakers=people, credit_quarters=0)

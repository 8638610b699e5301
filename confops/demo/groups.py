"""Demo Balint small groups on the national meeting: a series over its three group sessions,
four rooms, a leader pool drawn from the demo speakers, thirty more registrants (the demo
attendee among them), everyone registered opted in, and a published assignment. Idempotent like the rest of the demo:
rows are found by natural key, and the assignment is made only once."""

from __future__ import annotations

from datetime import timedelta

from confops.demo.rows import ensure_row
from confops.events.tables import Event
from confops.groups import planning, runs
from confops.groups.kinds import RunStatus
from confops.groups.tables import GroupLeader, GroupRoom, LeaderTraining
from confops.registration.order_decision import new_checkin_code
from confops.registration.tables import Attendee, Category, EventSales, Order

SLUG = "abs-national-meeting"
ROOMS = ["Cedar", "Spruce", "Aspen", "Birch"]
LEADERS = [
    # speaker key, name, discipline, experience, institution
    ("maya", "Maya Goldberg", "physician", "faculty", "University of Washington Family Medicine"),
    ("samuel", "Samuel Okafor", "behavioural_health", "credentialed", "Rush University Medical Center"),
    ("jose", "José Martínez-Ruiz", "physician", "credentialed", "UT Health San Antonio"),
    ("minh", "Nguyễn Thị Minh", "behavioural_health", "faculty", "Kaiser Permanente"),
    ("olga", "Ольга Смирнова", "physician", "trainee", "Cleveland Clinic"),
    ("jordan", "Jordan Lee", "behavioural_health", "credentialed", "Oregon Health & Science University"),
]
INSTITUTIONS = ["University of Vermont", "Mayo Clinic", "Kaiser Permanente", "University of Utah",
                "Boston Medical Center", "UCSF", "Cleveland Clinic", "Rush University Medical Center"]
# Registration's profession codes (registration/intake.py), as the form stores them: labels are shown.
PROFESSIONS = ["physician", "resident", "nurse", "social_worker", "psychologist", "counselor"]
FIRST = ["Avery", "Blake", "Casey", "Dana", "Eli", "Frankie", "Gray", "Harper", "Indira", "Jun", "Kofi", "Lior",
         "Mira", "Noor", "Omar", "Pia", "Quinn", "Rosa", "Sami", "Tariq", "Uma", "Vera", "Wen", "Xavi", "Yara",
         "Zane", "Ada", "Bruno", "Chioma", "Diego"]
LAST = ["Attendee", "Novak", "Ito", "Okoye", "Haddad", "Silva", "Kowalski", "Mensah", "Rao", "Park", "Boateng",
        "Cohen", "Ferreira", "Aziz", "Nasser", "Lund", "Byrne", "Ortiz", "Kaur", "Hakimi", "Devi", "Petrova",
        "Zhang", "Puig", "Suleiman", "Becker", "Lovelace", "Costa", "Eze", "Rivera"]


async def _registrants(event: dict) -> list[int]:
    category = await Category.select(Category.id).where(
        (Category.event == event["id"]) & (Category.code == "member")).first()
    if category is None:
        return []
    order, _ = await ensure_row(Order, {"idempotency_key": "demo-groups"}, {
        "event": event["id"], "buyer_name": "ABS office", "buyer_email": "office@example.org",
        "status": "confirmed", "complimentary": True, "pricing_snapshot": "{}", "token_hash": ""})
    ids, new_places = [], 0
    for i, (first, last) in enumerate(zip(FIRST, LAST, strict=True)):
        email = "attendee@example.org" if i == 0 else f"{first.lower()}.{last.lower()}@example.org"
        attendee, new = await ensure_row(Attendee, {"event": event["id"], "email": email}, {
            "order": order, "category": category["id"], "first_name": first, "last_name": last,
            "badge_name": first, "credentials": "MD" if i % 3 == 0 else "", "institution": INSTITUTIONS[i % 8],
            "profession": PROFESSIONS[i % 6], "checkin_code": new_checkin_code()})
        ids.append(attendee)
        new_places += int(new)
    if new_places:  # these places are sold too: the counters agree with the rows (`confops check`)
        await EventSales.update({EventSales.sold: EventSales.sold + new_places}).where(
            EventSales.event == event["id"])
        await Category.update({Category.sold: Category.sold + new_places}).where(Category.id == category["id"])
    return ids


async def load_groups_demo() -> int:
    """Returns how many rows were created (0 on a second load)."""
    event = await Event.select(Event.id, Event.organizer, Event.starts_at).where(Event.slug == SLUG).first()
    if event is None:
        return 0
    created = 0
    if await planning.series_of(event["id"]) is None:
        await planning.ensure_series(event["id"], separate_tracks=False)
        created += 1
    series = await planning.series_of(event["id"])
    if not await GroupRoom.exists().where(GroupRoom.series == series["id"]):
        await planning.set_rooms(series["id"], ROOMS)
        created += len(ROOMS)
    for key, name, discipline, experience, inst in LEADERS:
        _, new = await ensure_row(GroupLeader, {"series": series["id"], "email": f"{key}@example.org"}, {
            "name": name, "discipline": discipline, "experience": experience, "institution": inst, "active": True})
        created += int(new)
    for i, attendee in enumerate(await _registrants(event)):
        if not await _opted_in(series["id"], attendee):
            created += 1
            await planning.opt_in(series["id"], attendee, "leadership" if i % 5 == 4 else "experience")
    if await runs.run_of(series["id"], RunStatus.published) is None:
        # the other registrants, track from their answer; only before the assignment is made, so a
        # reload does not opt in people who registered later (e.g. the back-office demo's, loaded after)
        created += await planning.opt_in_everyone(series["id"])
        run_id, _ = await runs.assign_series(series["id"], seed=1)
        await runs.publish(series["id"], run_id, actor=None, base_url="", notify=False)
        created += 1
    _, new = await ensure_row(LeaderTraining, {"email": "olga@example.org", "title": "Leader-training intensive"}, {
        "organizer": event["organizer"], "name": "Ольга Смирнова", "kind": "intensive",
        "held_on": event["starts_at"].date() - timedelta(days=365), "evaluative": False,
        "recorded_by": "demo"})
    created += int(new)
    return created


async def _opted_in(series_id: int, attendee_id: int) -> bool:
    from confops.groups.tables import GroupParticipant

    return await GroupParticipant.exists().where(
        (GroupParticipant.series == series_id) & (GroupParticipant.attendee == attendee_id))


"""Words people read for the codes stored in the database."""

from confops.events.kinds import EventKind, EventStatus, SessionKind

EVENT_KIND = {
    EventKind.national_meeting: "National meeting",
    EventKind.theme_day: "Theme day",
    EventKind.intensive: "Leader-training intensive",
    EventKind.online_series: "Online group series",
    EventKind.course: "Course",
}
EVENT_STATUS = {
    EventStatus.draft: "Draft",
    EventStatus.published: "Open",
    EventStatus.closed: "Closed",
    EventStatus.cancelled: "Cancelled",
}
SESSION_KIND = {
    SessionKind.plenary: "Plenary",
    SessionKind.workshop: "Workshop",
    SessionKind.balint_group: "Balint small group",
    SessionKind.demonstration: "Demonstration group",
    SessionKind.break_: "Break",
    SessionKind.meal: "Meal",
}
SPEAKER_ROLE = {
    "presenter": "Presenter",
    "moderator": "Moderator",
    "group_leader": "Group leader",
    "co_leader": "Co-leader",
}
PLANNER_ROLE = {"planner": "Planner", "reviewer": "Reviewer"}  # speakers.tables.EventPlanner.role's values


def credit_text(quarters: int) -> str:
    """1.5 -> "1.5", 1.25 -> "1.25", 2 -> "2" (as credit is printed on certificates)."""
    whole, rest = divmod(quarters, 4)
    return str(whole) if rest == 0 else f"{quarters / 4:g}"


# Registration's profession codes (registration/intake.py PROFESSIONS), as people read them.
PROFESSION = {
    "physician": "Physician",
    "resident": "Resident",
    "student": "Student",
    "psychologist": "Psychologist",
    "social_worker": "Social worker",
    "nurse": "Nurse",
    "counselor": "Counselor",
    "other": "Other",
}


def profession_label(code: str | None) -> str:
    """"social_worker" -> "Social worker"; free text (older rows) reads as typed; none -> "Not given"."""
    if not code:
        return "Not given"
    return PROFESSION.get(code, code.replace("_", " ").capitalize())


def zone_label(tz: str, moment=None, city: str = "") -> str:
    """The zone as people say it: "Tacoma time (PDT)", not "America/Los_Angeles". The
    abbreviation is the one in force at `moment` (the event's start), so May shows PDT."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    try:
        zone = ZoneInfo(tz)
    except (KeyError, ValueError):
        return tz
    abbreviation = (moment or datetime.now(UTC)).astimezone(zone).strftime("%Z")
    place = city or tz.rsplit("/", 1)[-1].replace("_", " ")
    if tz in ("UTC", "Etc/UTC"):
        return "UTC"
    return f"{place} time ({abbreviation})" if abbreviation and abbreviation[0] not in "+-" else f"{place} time"

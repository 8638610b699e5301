"""Words people read for the codes stored in the database."""

from confops.events.tables import EventKind, EventStatus, SessionKind

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


def credit_text(quarters: int) -> str:
    """1.5 -> "1.5", 1.25 -> "1.25", 2 -> "2" (as credit is printed on certificates)."""
    whole, rest = divmod(quarters, 4)
    return str(whole) if rest == 0 else f"{quarters / 4:g}"

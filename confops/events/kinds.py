"""What kind an event or a session is, and where an event is in its life: plain values that
forms, filters and rules name without touching the tables (tables.py stores them)."""

from enum import StrEnum


class EventKind(StrEnum):
    national_meeting = "national_meeting"
    theme_day = "theme_day"
    intensive = "intensive"
    online_series = "online_series"
    course = "course"


class EventStatus(StrEnum):
    draft = "draft"
    published = "published"
    closed = "closed"
    cancelled = "cancelled"


class SessionKind(StrEnum):
    plenary = "plenary"
    workshop = "workshop"
    balint_group = "balint_group"
    demonstration = "demonstration"
    break_ = "break"
    meal = "meal"

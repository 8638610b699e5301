"""Organizers' events, with rooms, tracks and the sessions of the program. The Organizer table
itself is defined in accounts (roles are granted per organizer) and importable from here."""

from piccolo.columns import (
    Boolean,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.accounts.tables import Organizer
from confops.events.kinds import EventKind, EventStatus, SessionKind


class Event(Table):
    organizer = ForeignKey(Organizer, on_delete=OnDelete.restrict, null=False)
    slug = Varchar(length=80, unique=True)
    title = Varchar(length=200)
    kind = Varchar(length=32, choices=EventKind)
    status = Varchar(length=16, choices=EventStatus, default=EventStatus.draft.value)
    summary = Text()
    description = Text()
    timezone = Varchar(length=64, default="America/New_York")
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    online = Boolean(default=False)
    venue_name = Varchar(length=200)
    venue_address = Text()
    city = Varchar(length=100)
    region = Varchar(length=100)
    country = Varchar(length=2, default="US")
    registration_opens_at = Timestamptz(null=True, default=None)
    registration_closes_at = Timestamptz(null=True, default=None)
    edit_deadline = Timestamptz(null=True, default=None)
    capacity = Integer(null=True, default=None)
    currency = Varchar(length=3, default="USD")
    cme_enabled = Boolean(default=False)
    cme_max_credit_quarters = Integer(default=0, help_text="Designated maximum, in 0.25 credit steps")
    cme_provider = Varchar(length=200)
    cme_accreditation_statement = Text()
    cme_designation_statement = Text()
    cme_evaluation_required = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class Room(Table):
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=120)
    capacity = Integer(null=True, default=None)
    accessibility = Text(help_text="Step-free access, hearing loop, …")
    position = Integer(default=0)


class Track(Table):
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    name = Varchar(length=120)
    color = Varchar(length=7, default="#2f6f73")
    position = Integer(default=0)


class Session(Table, tablename="program_session"):
    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False)
    room = ForeignKey(Room, on_delete=OnDelete.set_null, null=True)
    track = ForeignKey(Track, on_delete=OnDelete.set_null, null=True)
    code = Varchar(length=16, help_text="Short label printed in the program, e.g. W3")
    title = Varchar(length=250)
    abstract = Text()
    kind = Varchar(length=32, choices=SessionKind)
    starts_at = Timestamptz()
    ends_at = Timestamptz()
    capacity = Integer(null=True, default=None)
    credit_quarters = Integer(default=0, help_text="Designated CME credit in 0.25 steps")
    published = Boolean(default=True)
    learning_objectives = Text(help_text="One objective per line; CME sessions need at least three")
    format = Varchar(length=120, help_text="e.g. lecture with discussion, experiential group")
    av_needs = Text(help_text="Projector, microphones, flip chart …")


class ScheduleVersion(Table):
    """A published program, frozen as JSON: later changes are logged against the latest one."""

    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    number = Integer()
    published_at = Timestamptz(default=TimestamptzNow())
    published_by = Integer(null=True, default=None, help_text="User id of the staff member")
    snapshot = Text()


class ScheduleChange(Table):
    """What changed in a session after the schedule was published (the change log)."""

    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=True)
    after_version = Integer()
    summary = Text()
    changed_by = Integer(null=True, default=None)
    changed_at = Timestamptz(default=TimestamptzNow())


class AgendaItem(Table):
    """A session a signed-in person put on their personal agenda."""

    user = Integer(index=True, help_text="accounts User id")
    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=False)


class CalendarFeed(Table):
    """The unguessable token of a person's personal-agenda .ics subscription."""

    user = Integer(unique=True)
    token = Varchar(length=64, unique=True)
    created_at = Timestamptz(default=TimestamptzNow())


class AgendaTally(Table):
    """Personal agenda picks per session (events/tallies.py), for the dashboard's session fill:
    each pick added, moved or removed appends its difference in the same transaction (the
    database's triggers); `confops check` compares the sums with the picks."""

    event = Integer(index=True)
    session = Integer()
    n = Integer(default=0)

"""Balint small groups in the database: the series, its rooms and leaders, who opted in, staff
pins, assignment runs with their groups, attendance per group meeting, and leader-training
records that follow a person (by e-mail) across events.

Case content is never stored: a roster holds names, professions and institutions only.
"""

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.accounts.tables import Organizer
from confops.events.tables import Event, Session
from confops.groups.kinds import RunStatus, TrainingKind
from confops.registration.tables import Attendee


class GroupSeries(Table):
    """The Balint group sessions of one event, met by the same groups all meeting long."""

    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False, unique=True)
    title = Varchar(length=200, default="Balint small groups")
    min_size = Integer(default=6)
    max_size = Integer(default=10)
    ideal_size = Integer(default=8)
    group_count = Integer(null=True, default=None, help_text="Empty: the engine chooses")
    separate_tracks = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())


class SeriesSession(Table):
    """A group session (program session of kind balint_group) that belongs to the series."""

    series = ForeignKey(GroupSeries, on_delete=OnDelete.cascade, null=False, index=True)
    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=False)


class GroupRoom(Table):
    series = ForeignKey(GroupSeries, on_delete=OnDelete.cascade, null=False, index=True)
    name = Varchar(length=120)
    position = Integer(default=0)


class GroupLeader(Table):
    """A leader in the event's pool; the e-mail links them to their account and training record."""

    series = ForeignKey(GroupSeries, on_delete=OnDelete.cascade, null=False, index=True)
    name = Varchar(length=200)
    email = Varchar(length=254, index=True)
    discipline = Varchar(length=24, default="other")  # physician / behavioural_health / other
    experience = Varchar(length=16, default="credentialed")  # trainee / credentialed / faculty
    institution = Varchar(length=200)
    active = Boolean(default=True)


class GroupParticipant(Table):
    """A registrant who opted in to the small groups, with their track."""

    series = ForeignKey(GroupSeries, on_delete=OnDelete.cascade, null=False, index=True)
    attendee = ForeignKey(Attendee, on_delete=OnDelete.cascade, null=False, index=True)
    track = Varchar(length=16, default="experience")  # experience / leadership
    supervisor_email = Varchar(length=254, help_text="Kept apart from this person where possible")
    opted_in_at = Timestamptz(default=TimestamptzNow())


class GroupPin(Table):
    """Staff's wish: two people (keys "a<attendee id>" or "l<leader id>") together or apart."""

    series = ForeignKey(GroupSeries, on_delete=OnDelete.cascade, null=False, index=True)
    person_a = Varchar(length=24)
    person_b = Varchar(length=24)
    together = Boolean(default=True)
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())


class AssignmentRun(Table):
    """One engine run (or a staff-adjusted copy of one): draft, then published, then superseded."""

    series = ForeignKey(GroupSeries, on_delete=OnDelete.cascade, null=False, index=True)
    seed = Integer(default=0)
    status = Varchar(length=16, choices=RunStatus, default=RunStatus.draft.value)
    report = JSON(default="{}")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    published_at = Timestamptz(null=True, default=None)
    published_by = Integer(null=True, default=None)


class SmallGroup(Table):
    run = ForeignKey(AssignmentRun, on_delete=OnDelete.cascade, null=False, index=True)
    number = Integer()
    room = Varchar(length=120)
    track = Varchar(length=16)
    locked = Boolean(default=False)


class GroupMember(Table):
    """A person in a group of a run: an attendee as member, or a pool leader as leader."""

    group = ForeignKey(SmallGroup, on_delete=OnDelete.cascade, null=False, index=True)
    attendee = ForeignKey(Attendee, on_delete=OnDelete.cascade, null=True, index=True)
    leader = ForeignKey(GroupLeader, on_delete=OnDelete.cascade, null=True, index=True)


class GroupAttendance(Table):
    """Whether a member was at one group meeting (a session of the series), and who said so."""

    series = ForeignKey(GroupSeries, on_delete=OnDelete.cascade, null=False, index=True)
    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=False)
    attendee = ForeignKey(Attendee, on_delete=OnDelete.restrict, null=False, index=True)
    group_number = Integer()
    present = Boolean(default=True)
    marked_by = Varchar(length=254)
    marked_at = Timestamptz(default=TimestamptzNow())


class CredentialingRules(Table):
    """A society's leader-credentialing requirements (none stored: the ABS's apply)."""

    organizer = ForeignKey(Organizer, on_delete=OnDelete.cascade, null=False, unique=True)
    intensives = Integer(default=3)
    final_evaluative = Boolean(default=True)
    leading_months = Integer(default=24)
    leading_per_month = Integer(default=1)
    supervision_per_year = Integer(default=6)


class LeaderTraining(Table):
    """One step of a leader's training, across events: an intensive, a group led, a supervision."""

    organizer = ForeignKey(Organizer, on_delete=OnDelete.cascade, null=False)
    email = Varchar(length=254, index=True)
    name = Varchar(length=200)
    kind = Varchar(length=16, choices=TrainingKind)
    held_on = Date()
    evaluative = Boolean(default=False)
    title = Varchar(length=250)
    event = ForeignKey(Event, on_delete=OnDelete.set_null, null=True)
    session = ForeignKey(Session, on_delete=OnDelete.set_null, null=True)
    recorded_by = Varchar(length=254)
    created_at = Timestamptz(default=TimestamptzNow())

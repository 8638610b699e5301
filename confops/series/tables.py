"""Online group series: each session's meeting link, the series' minimum enrolment with its
go/no-go date, and the reminders sent (once per session and attendee)."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.events.tables import Event, Session
from confops.registration.tables import Attendee


class SessionMeeting(Table, tablename="series_session_meeting"):
    """Where an online session meets. Only confirmed registrants ever see it (series.access)."""

    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=False, unique=True)
    url = Varchar(length=500, help_text="https only")
    passcode = Varchar(length=60)
    updated_at = Timestamptz(default=TimestamptzNow())


class SeriesPlan(Table, tablename="series_plan"):
    """The series runs only if `min_enrolment` people are confirmed at `go_no_go_at`; the worker
    decides once (decision: "" until then, "go" or "no_go")."""

    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False, unique=True)
    min_enrolment = Integer(null=True, default=None)
    go_no_go_at = Timestamptz(null=True, default=None)
    decision = Varchar(length=16, default="")
    decided_at = Timestamptz(null=True, default=None)
    decision_note = Text()
    reminder_hours = Integer(default=24, help_text="From this long before a session its link is shown to "
                                                   "registrants and the reminder with it is sent")


class MeetingReminder(Table, tablename="series_meeting_reminder"):
    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=False)
    attendee = ForeignKey(Attendee, on_delete=OnDelete.cascade, null=False)
    sent_at = Timestamptz(default=TimestamptzNow())

"""Attendance at events without CME credit (or for people the credit type does not cover): the
event's threshold ("6 of 8 sessions"), who attended which session and how long, and the
certificates of attendance issued from it."""

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.accounts.tables import Organizer
from confops.events.tables import Event, Session
from confops.registration.tables import Attendee


class AttendanceRule(Table, tablename="attendance_rule"):
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False, unique=True)
    sessions_required = Integer(null=True, default=None, help_text="N of the event's sessions; empty: all")
    offers_certificate = Boolean(default=False)
    board_credit = Varchar(length=200, help_text="The board credit meeting the threshold gives (e.g. ABS leader "
                                                 "certification group hours); empty: none")


class SessionAttendance(Table, tablename="attendance_session"):
    """One row per attendee and session (unique index): minutes present, and where it came from."""

    session = ForeignKey(Session, on_delete=OnDelete.restrict, null=False)
    attendee = ForeignKey(Attendee, on_delete=OnDelete.restrict, null=False, index=True)
    minutes = Integer(default=0)
    source = Varchar(length=16, help_text="roll_call, upload, scan or staff")
    recorded_by = Integer(null=True, default=None)
    recorded_at = Timestamptz(default=TimestamptzNow())


class AttendanceUpload(Table, tablename="attendance_upload"):
    """A meeting service's attendance list for one session; rows no registrant matched wait
    here for staff to match by hand (JSON list of {email, name, minutes})."""

    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=False)
    uploaded_by = Integer(null=True, default=None)
    uploaded_at = Timestamptz(default=TimestamptzNow())
    matched = Integer(default=0)
    unmatched = Text(default="[]")


class AttendanceCertificate(Table, tablename="attendance_certificate"):
    """Issued once per attendee and event (unique); immutable: a revoked one stays revoked."""

    serial = Varchar(length=40, unique=True)
    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False)
    attendee = ForeignKey(Attendee, on_delete=OnDelete.restrict, null=False, unique=True)
    learner_name = Varchar(length=220)
    sessions_attended = Integer(default=0)
    sessions_total = Integer(default=0)
    minutes_attended = Integer(default=0)
    board_credit = Varchar(length=200, help_text="The board credit this attendance was granted; empty: none")
    issued_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    revoked_reason = Text()
    revoked_by = Integer(null=True, default=None, help_text="User id of the staff member")


class AttendanceCredential(Table, tablename="attendance_credential"):
    """A certificate of attendance's Open Badges 3.0 credential as signed (VC-JWT) by
    cme.credentials, the one signer, and its place in the organizer's revocation list (odd
    positions; CME's credentials take the even ones, so the two tables' unique indexes together
    keep one bit per credential). The bit is read from the certificate's revoked_at."""

    certificate = ForeignKey(AttendanceCertificate, on_delete=OnDelete.restrict, null=False, unique=True)
    organizer = ForeignKey(Organizer, on_delete=OnDelete.restrict, null=False, index=True)
    status_index = Integer(unique=True)
    key_id = Varchar(length=80)
    jwt = Text()
    issued_at = Timestamptz(default=TimestamptzNow())

"""CME tables. Credit is stored in quarters (0.25 credit = 1), never as floats.

Issued certificates are immutable records: only their status columns (superseded, revoked)
ever change after insert; everything printed is frozen in `content` with its hash.
Evaluation answers carry no learner: only `EvaluationDone` says who evaluated, not what.
"""

from enum import StrEnum

from piccolo.columns import JSON, Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.cme.kinds import Evidence
from confops.events.tables import Event, Session
from confops.registration.tables import Attendee


class CmeActivity(Table):
    """The event's designation beyond what Event already holds (provider, accreditation and AMA
    designation statements, maximum, evaluation required)."""

    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False, unique=True)
    credit_types = JSON(help_text='[{"type": "ancc", "quarters": 56, "statement": "..."}]')
    learning_format = Varchar(length=20, default="live", help_text="live, online, enduring")
    location = Varchar(length=200)
    claim_deadline = Timestamptz(null=True, default=None)
    evidence = Varchar(length=20, choices=Evidence, default=Evidence.session_scans.value)
    min_presence_percent = Integer(default=80)
    scan_early_minutes = Integer(default=15, help_text="How long before a session's start a scan into it counts")
    teaching_credit = Boolean(default=False, help_text="Faculty letters state AMA teaching credit")


class CmeReporting(Table):
    """What ACCME's PARS asks of an activity beyond its designation: the provider's own activity
    id, the PARS activity type, providership (with the joint providers), commercial support and
    the MOC points registered with the boards. Reported after the fact, so it stays editable
    once claims exist (unlike the designation)."""

    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False, unique=True)
    activity_id = Varchar(length=40, help_text="The provider's own activity id (PARS 'Provider Activity ID')")
    activity_type = Varchar(length=40, default="course")
    providership = Varchar(length=10, default="direct", help_text="direct or joint")
    joint_providers = Text(help_text="One per line")
    commercial_support = JSON(default="[]", help_text='[{"name": "...", "kind": "monetary", "amount_cents": 500000}]')
    moc_abim_quarters = Integer(default=0, help_text="ABIM MOC points in quarters; 0 = not offered")
    moc_abp_quarters = Integer(default=0, help_text="ABP MOC points in quarters; 0 = not offered")


class CmeSessionCredit(Table):
    """Which credit types a session carries and its parallel group (the quarters are
    Session.credit_quarters)."""

    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=False, unique=True)
    credit_types = Varchar(length=200, help_text="Comma-separated; empty = every type of the event")
    parallel_group = Varchar(length=40, help_text="Sessions sharing a group count once")


class AttendanceMark(Table):
    """One piece of evidence: a scan in or out, an entry scan, a small-group roll call, a staff
    correction (with its reason) or the learner's attestation."""

    attendee = ForeignKey(Attendee, on_delete=OnDelete.restrict, null=False, index=True)
    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False, index=True)
    session = ForeignKey(Session, on_delete=OnDelete.restrict, null=True)
    kind = Varchar(length=20, help_text="in, out, entry, group, staff, attested")
    present = Boolean(default=True)
    at = Timestamptz(default=TimestamptzNow())
    reason = Text()
    recorded_by = Integer(null=True, default=None, help_text="User id of the staff member")


class EvaluationQuestion(Table):
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=True, help_text="Empty: about the event")
    kind = Varchar(length=10, help_text="likert, choice, text")
    prompt = Varchar(length=300)
    choices = Text(help_text="One per line (choice questions)")
    required = Boolean(default=False)
    position = Integer(default=0)


class EvaluationAnswer(Table):
    """Anonymous by construction: no attendee column."""

    question = ForeignKey(EvaluationQuestion, on_delete=OnDelete.cascade, null=False, index=True)
    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=True)
    value = Text()


class EvaluationDone(Table):
    attendee = ForeignKey(Attendee, on_delete=OnDelete.restrict, null=False, index=True)
    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False)
    at = Timestamptz(default=TimestamptzNow())


class CmeClaim(Table):
    attendee = ForeignKey(Attendee, on_delete=OnDelete.restrict, null=False, unique=True)
    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False, index=True)
    credit_type = Varchar(length=20)
    quarters = Integer()
    eligible_quarters = Integer()
    sessions = JSON(help_text="Ids of the sessions the eligible credit came from")
    attested_at = Timestamptz()
    updated_at = Timestamptz(default=TimestamptzNow())


class CertificateStatus(StrEnum):
    valid = "valid"
    superseded = "superseded"
    revoked = "revoked"


class Certificate(Table, tablename="cme_certificate"):
    serial = Varchar(length=32, unique=True)
    kind = Varchar(length=12, default="learner", help_text="learner or faculty")
    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False, index=True)
    attendee = ForeignKey(Attendee, on_delete=OnDelete.restrict, null=True)
    email = Varchar(length=254, index=True)
    content = Text(help_text="Canonical JSON of everything printed")
    content_hash = Varchar(length=64)
    status = Varchar(length=12, choices=CertificateStatus, default=CertificateStatus.valid.value)
    superseded_by = Integer(null=True, default=None)
    revoked_reason = Text()
    revoked_by = Integer(null=True, default=None)
    status_changed_at = Timestamptz(null=True, default=None)
    issued_at = Timestamptz(default=TimestamptzNow())


class CmeProfile(Table):
    """What PARS and the boards need, given only with the learner's consent."""

    user = Integer(unique=True, help_text="accounts User id")
    board_id = Varchar(length=40, help_text="ABIM/ABFM/ABP id")
    board = Varchar(length=10, default="", help_text="Which board board_id belongs to: abim, abp, other")
    licence_id = Varchar(length=40, help_text="State and licence number")
    birth_month = Integer(null=True, default=None)
    birth_day = Integer(null=True, default=None)
    pars_consent = Boolean(default=False)
    consent_at = Timestamptz(null=True, default=None)


class CmeLearnerAttendance(Table, tablename="cme_learner_attendance"):
    """How many of a learner's marks are attendance recorded (cme/recorded.py), kept by the
    database's triggers (cme/tallies.py) as marks are written and as sessions and the scan
    window move, so the learner list filters on one row per learner, not on their marks."""

    attendee = Integer(unique=True)
    event = Integer(index=True)
    marks = Integer(default=0)


class CmeLearnerPending(Table, tablename="cme_learner_pending"):
    """Learners with a mark written since their count was: the door's scans note them here (one
    row, no lock, no recount), the worker recounts them within seconds (cme/tallies.py
    `recount_pending`), and reads recount the few still noted themselves."""

    attendee = Integer(index=True)
    event = Integer(index=True)


class CmeTally(Table):
    """An event's CME claims in running sums (cme/tallies.py): learners who claimed, and the
    claims per credit type, per session and per learner's credentials. Each write of a claim
    or of an attendee's status or credentials appends its difference in the same transaction
    (the database's triggers); `confops check` compares the sums with the rows."""

    event = Integer(index=True)
    kind = Varchar(length=20)
    key = Varchar(length=120)
    n = Integer(default=0)
    quarters = Integer(default=0)

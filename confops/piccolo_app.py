"""The one Piccolo app: every area's tables, one migration sequence in ../migrations."""


from piccolo.apps.user.tables import BaseUser
from piccolo.conf.apps import AppConfig
from piccolo_api.session_auth.tables import SessionsBase

from confops.accounts.tables import (
    LoginLink,
    RecoveryCode,
    RoleGrant,
    SecondFactor,
    SignInSession,
    SignInThrottle,
    User,
)
from confops.attendance.tables import (
    AttendanceCertificate,
    AttendanceRule,
    AttendanceUpload,
    SessionAttendance,
)
from confops.backoffice.tables import AuditEntry, BulkMailing, MailingListMember, PrivacyRequest
from confops.badges.tables import BadgePrint
from confops.checkin.tables import (
    CheckinConflict,
    CheckinList,
    CheckinScan,
    EventSigningKey,
    ScannerDevice,
)
from confops.cme.credential_tables import CmeCredential, IssuerKey
from confops.cme.tables import (
    AttendanceMark,
    Certificate,
    CmeActivity,
    CmeClaim,
    CmeProfile,
    CmeSessionCredit,
    EvaluationAnswer,
    EvaluationDone,
    EvaluationQuestion,
)
from confops.core.tables import JobState, OutboxMessage
from confops.events.tables import (
    AgendaItem,
    CalendarFeed,
    Event,
    Organizer,
    Room,
    ScheduleChange,
    ScheduleVersion,
    Session,
    Track,
)
from confops.groups.tables import (
    AssignmentRun,
    CredentialingRules,
    GroupAttendance,
    GroupLeader,
    GroupMember,
    GroupParticipant,
    GroupPin,
    GroupRoom,
    GroupSeries,
    LeaderTraining,
    SeriesSession,
    SmallGroup,
)
from confops.payments.cancellation_tables import EventCancellation
from confops.payments.tables import Dispute, Invoice, InvoiceCounter, Payment, Refund, WebhookEvent
from confops.registration.tables import (
    AddOn,
    Answer,
    Attendee,
    AttendeeAddOn,
    Category,
    Demographics,
    DiscountCode,
    EventSales,
    Order,
    Question,
    WaitlistEntry,
    WaitlistOffer,
)
from confops.resources import shipped
from confops.series.tables import MeetingReminder, SeriesPlan, SessionMeeting
from confops.speakers.tables import (
    Disclosure,
    EventPlanner,
    FinancialRelationship,
    Mitigation,
    SessionMaterial,
    SessionProposal,
    SessionSpeaker,
    Speaker,
    SpeakerInvitation,
)

MIGRATIONS = shipped("migrations")

APP_CONFIG = AppConfig(
    app_name="confops",
    migrations_folder_path=str(MIGRATIONS),
    # Parents before children: tests empty tables in this order's reverse where it matters.
    table_classes=[
        Organizer,
        Event,
        Room,
        Track,
        Session,
        User,
        RoleGrant,
        LoginLink,
        SignInSession,
        SecondFactor,
        RecoveryCode,
        SignInThrottle,
        Speaker,
        SessionSpeaker,
        SpeakerInvitation,
        EventPlanner,
        SessionProposal,
        SessionMaterial,
        Disclosure,
        FinancialRelationship,
        Mitigation,
        ScheduleVersion,
        ScheduleChange,
        AgendaItem,
        CalendarFeed,
        EventSales,
        Category,
        AddOn,
        DiscountCode,
        Order,
        Attendee,
        AttendeeAddOn,
        Question,
        Answer,
        Demographics,
        WaitlistEntry,
        WaitlistOffer,
        OutboxMessage,
        JobState,
        EventSigningKey,
        Payment,
        Refund,
        WebhookEvent,
        Dispute,
        InvoiceCounter,
        Invoice,
        BadgePrint,
        CmeActivity,
        CmeSessionCredit,
        AttendanceMark,
        EvaluationQuestion,
        EvaluationAnswer,
        EvaluationDone,
        CmeClaim,
        Certificate,
        CmeProfile,
        IssuerKey,
        CmeCredential,
        GroupSeries,
        SeriesSession,
        GroupRoom,
        GroupLeader,
        GroupParticipant,
        GroupPin,
        AssignmentRun,
        SmallGroup,
        GroupMember,
        GroupAttendance,
        CredentialingRules,
        LeaderTraining,
        CheckinList,
        ScannerDevice,
        CheckinScan,
        CheckinConflict,
        AuditEntry,
        MailingListMember,
        BulkMailing,
        PrivacyRequest,
        EventCancellation,
        SessionMeeting,
        SeriesPlan,
        MeetingReminder,
        AttendanceRule,
        SessionAttendance,
        AttendanceUpload,
        AttendanceCertificate,
        BaseUser,  # piccolo-admin's own sign-in, bridged from confops admins (web/backoffice/admin.py)
        SessionsBase,
    ],
    migration_dependencies=[],
    commands=[],
)

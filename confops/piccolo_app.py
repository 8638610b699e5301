"""The one Piccolo app: every area's tables, one migration sequence in ../migrations."""

from pathlib import Path

from piccolo.conf.apps import AppConfig

from confops.accounts.tables import LoginLink, RoleGrant, User
from confops.checkin.tables import EventSigningKey
from confops.core.tables import OutboxMessage
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

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"

APP_CONFIG = AppConfig(
    app_name="confops",
    migrations_folder_path=str(MIGRATIONS),
    table_classes=[
        Organizer,
        Event,
        Room,
        Track,
        Session,
        User,
        RoleGrant,
        LoginLink,
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
        OutboxMessage,
        EventSigningKey,
    ],
    migration_dependencies=[],
    commands=[],
)

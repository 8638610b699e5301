"""Speakers (faculty) and their roles in sessions."""

from enum import StrEnum

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.accounts.tables import Organizer, User
from confops.events.tables import Event, Session
from confops.speakers.roles import SpeakerRole


class Speaker(Table):
    organizer = ForeignKey(Organizer, on_delete=OnDelete.restrict, null=False)
    user = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    first_name = Varchar(length=100)
    last_name = Varchar(length=100)
    credentials = Varchar(length=100, help_text="MD, DO, PhD, LCSW …")
    pronouns = Varchar(length=40)
    institution = Varchar(length=200)
    city_region = Varchar(length=120)
    bio = Text()
    email = Varchar(length=254, index=True)
    photo_path = Varchar(length=300)
    created_at = Timestamptz(default=TimestamptzNow())


class SessionSpeaker(Table):
    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=False)
    speaker = ForeignKey(Speaker, on_delete=OnDelete.restrict, null=False)
    role = Varchar(length=20, choices=SpeakerRole, default=SpeakerRole.presenter.value)
    position = Integer(default=0)


class Participation(StrEnum):
    invited = "invited"
    confirmed = "confirmed"
    withdrawn = "withdrawn"


class SpeakerInvitation(Table):
    """One invitation per (session, speaker): the speaker's answer is kept here, so the public
    program (SessionSpeaker) stays as staff planned it while the speaker decides."""

    session_speaker = ForeignKey(SessionSpeaker, on_delete=OnDelete.cascade, null=False)
    status = Varchar(length=12, choices=Participation, default=Participation.invited.value)
    invited_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    invited_at = Timestamptz(default=TimestamptzNow())
    answered_at = Timestamptz(null=True, default=None)


class EventPlanner(Table):
    """A planner or reviewer of an event's content: they control content, so they disclose too."""

    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    speaker = ForeignKey(Speaker, on_delete=OnDelete.restrict, null=False)
    role = Varchar(length=12, default="planner", help_text="planner or reviewer")


class ProposalStatus(StrEnum):
    pending = "pending"
    accepted = "accepted"
    rejected = "rejected"


class SessionProposal(Table):
    """A speaker's edit after the event's edit deadline: staff accept or reject it."""

    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=False)
    speaker = ForeignKey(Speaker, on_delete=OnDelete.cascade, null=False)
    changes = Text(help_text="JSON object: field -> proposed value")
    status = Varchar(length=12, choices=ProposalStatus, default=ProposalStatus.pending.value)
    created_at = Timestamptz(default=TimestamptzNow())
    decided_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    decided_at = Timestamptz(null=True, default=None)


class SessionMaterial(Table):
    """Slides and handouts; files live under var/uploads/materials/."""

    session = ForeignKey(Session, on_delete=OnDelete.cascade, null=False)
    speaker = ForeignKey(Speaker, on_delete=OnDelete.cascade, null=False)
    kind = Varchar(length=12, default="slides")
    filename = Varchar(length=200)
    stored_path = Varchar(length=300)
    mime_type = Varchar(length=120)
    size = Integer(default=0)
    share_after_session = Boolean(default=False)
    uploaded_at = Timestamptz(default=TimestamptzNow())


class DisclosureKind(StrEnum):
    none = "none"                    # attested: no financial relationships to disclose
    relationships = "relationships"  # attested: the relationships listed
    refused = "refused"              # declined to disclose: may not control CME content


class Nature(StrEnum):
    employee = "employee"
    researcher = "researcher"
    consultant = "consultant"
    advisor = "advisor"
    speaker = "speaker"
    contractor = "contractor"
    royalties_patent = "royalties_patent"
    executive = "executive"
    owner_stock = "owner_stock"


class Disclosure(Table):
    """One attested disclosure of a person who controls content; the newest one counts."""

    speaker = ForeignKey(Speaker, on_delete=OnDelete.restrict, null=False)
    kind = Varchar(length=16, choices=DisclosureKind)
    attested_at = Timestamptz()
    attested_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)


class FinancialRelationship(Table):
    disclosure = ForeignKey(Disclosure, on_delete=OnDelete.restrict, null=False)
    company = Varchar(length=200, help_text="Ineligible company, by name only (no logos)")
    nature = Varchar(length=20, choices=Nature)
    ongoing = Boolean(default=True)
    ended_on = Varchar(length=10, help_text="YYYY-MM when it ended; empty if ongoing")
    relevant = Boolean(null=True, default=None, help_text="Coordinator's decision; null = not reviewed")
    reviewed_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    reviewed_at = Timestamptz(null=True, default=None)


class MitigationStep(StrEnum):
    peer_review = "peer_review"
    evidence_based_content = "evidence_based_content"
    divest = "divest"
    change_role = "change_role"
    attest_no_bias = "attest_no_bias"


class Mitigation(Table):
    """How a relevant relationship was mitigated, by whom and when (ACCME Standard 3)."""

    relationship = ForeignKey(FinancialRelationship, on_delete=OnDelete.restrict, null=False)
    steps = Varchar(length=200, help_text="Comma-separated MitigationStep values")
    notes = Text()
    recorded_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    recorded_at = Timestamptz()

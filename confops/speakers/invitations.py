"""Staff invite a person to speak: the speaker record, the session roles and an e-mail whose
single-use link signs them straight into the speaker portal."""

from __future__ import annotations

from dataclasses import dataclass

from confops.accounts import brands
from confops.accounts.service import (
    create_user,
    email_problem,
    issue_login_link,
    normalize_email,
)
from confops.core import clock, outbox
from confops.core.auth import Principal, Role, require
from confops.core.errors import Conflict, FieldError, Invalid, NotFound, collect
from confops.core.mail import Message
from confops.core.rendering import render_mail
from confops.db import insert_or_get, insert_or_ignore, transaction
from confops.events.tables import Event, Session
from confops.speakers import disclosures
from confops.speakers.identity import own_session_link
from confops.speakers.roles import SpeakerRole
from confops.speakers.tables import (
    EventPlanner,
    Participation,
    SessionSpeaker,
    Speaker,
    SpeakerInvitation,
)

INVITATION_LINK_MINUTES = 14 * 24 * 60  # an invitation is read days later, unlike a sign-in request
STAFF_FOR_SPEAKERS = (Role.registrar,)


async def _event_for_staff(event_slug: str, principal) -> dict:
    """The event, after checking the caller may manage its speakers (before any id is looked up)."""
    event = await Event.select(Event.id, Event.organizer, Event.title, Event.organizer.slug).where(
        Event.slug == event_slug).first()
    if not event:
        raise NotFound("There is no such event.")
    require(principal, event["organizer"], *STAFF_FOR_SPEAKERS)
    return event


@dataclass(frozen=True)
class Invited:
    speaker_id: int
    session_ids: list[int]
    email: str


async def _speaker_of(organizer: int, user_id: int, email: str, first_name: str, last_name: str) -> int:
    """The organizer's speaker with this e-mail, made now if there is none yet, and linked to
    the account (the names given are used only for a new speaker)."""
    speaker_id, _ = await insert_or_get(
        Speaker(organizer=organizer, user=user_id, email=email, first_name=first_name, last_name=last_name),
        (Speaker.organizer == organizer) & (Speaker.email == email))
    await Speaker.update({Speaker.user: user_id}).where((Speaker.id == speaker_id) & Speaker.user.is_null())
    return speaker_id


async def invite(
    principal: Principal | None,
    *,
    event_slug: str,
    session_ids: list[int],
    email: str,
    first_name: str,
    last_name: str,
    role: str,
    base_url: str,
) -> Invited:
    event = await _event_for_staff(event_slug, principal)
    email = normalize_email(email)
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    problems: list[FieldError] = []
    if message := email_problem(email):
        problems.append(FieldError("email", message))
    if role not in SpeakerRole.__members__:
        problems.append(FieldError("role", "Choose presenter, moderator, group leader or co-leader."))
    sessions = await Session.select(Session.id, Session.title, Session.credit_quarters).where(
        (Session.event == event["id"]) & Session.id.is_in(session_ids or [0])
    )
    if not session_ids or len(sessions) != len(set(session_ids)):
        problems.append(FieldError("sessions", "Choose one or more sessions of this event."))
    existing = await Speaker.select().where(
        (Speaker.organizer == event["organizer"]) & (Speaker.email == email)
    ).first() if not problems else None
    if existing is None and not first_name:
        problems.append(FieldError("first_name", "Enter the speaker's first name."))
    if existing is None and not last_name:
        problems.append(FieldError("last_name", "Enter the speaker's last name."))
    collect(problems)
    if existing and any(s["credit_quarters"] for s in sessions):
        if await disclosures.has_refused(existing["id"]):
            raise Conflict(
                "This person declined to disclose financial relationships and cannot be scheduled "
                "in a CME session.", field="sessions", code="disclosure_refused",
            )

    organizer_slug = (await Event.select(Event.organizer.slug).where(Event.id == event["id"]).first())["organizer.slug"]
    name = f"{existing['first_name']} {existing['last_name']}" if existing else f"{first_name} {last_name}"
    user = await create_user(email, name, roles=[(organizer_slug, Role.speaker)])
    async with transaction():
        speaker_id = await _speaker_of(event["organizer"], user.id, email, first_name, last_name)
        for session in sessions:
            position = await SessionSpeaker.count().where(SessionSpeaker.session == session["id"])
            link_id, _ = await insert_or_get(
                SessionSpeaker(session=session["id"], speaker=speaker_id, role=role, position=position),
                (SessionSpeaker.session == session["id"]) & (SessionSpeaker.speaker == speaker_id)
                & (SessionSpeaker.role == role))
            await insert_or_ignore(SpeakerInvitation(session_speaker=link_id, invited_by=principal.user_id))
        token = await issue_login_link(user.id, next_path="/speaker", valid_minutes=INVITATION_LINK_MINUTES)
        brand = await brands.of_event(event)
        text, html = render_mail("speaker_invitation", brand=brand, name=name, event=event, sessions=sessions,
                                 link=f"{base_url}/login/link/{token}", base_url=base_url)
        await outbox.enqueue(Message(to=email, subject=f"Invitation to speak: {event['title']}", text=text, html=html,
                                     brand=brand))
    return Invited(speaker_id, [s["id"] for s in sessions], email)


async def respond(principal: Principal | None, session_id: int, answer: str) -> str:
    """The speaker confirms or withdraws from one of their sessions."""
    if answer not in (Participation.confirmed, Participation.withdrawn):
        raise Invalid("Choose confirm or withdraw.", field="answer")
    link = await own_session_link(principal, session_id)
    async with transaction():
        updated = await SpeakerInvitation.update(
            {SpeakerInvitation.status: answer, SpeakerInvitation.answered_at: clock.now()}
        ).where(SpeakerInvitation.session_speaker == link["id"]).returning(SpeakerInvitation.id)
        if not updated:  # placed in the program by staff without an invitation: record the answer
            await SpeakerInvitation(session_speaker=link["id"], status=answer, answered_at=clock.now()).save()
    return answer


async def participation(session_speaker_ids: list[int]) -> dict[int, str]:
    rows = await SpeakerInvitation.select(SpeakerInvitation.session_speaker, SpeakerInvitation.status).where(
        SpeakerInvitation.session_speaker.is_in(session_speaker_ids or [0])
    )
    return {r["session_speaker"]: r["status"] for r in rows}


PLANNER_ROLES = ("planner", "reviewer")


async def add_planner(
    principal: Principal | None, *, event_slug: str, email: str, first_name: str, last_name: str, role: str,
    base_url: str,
) -> int:
    """Planners and reviewers control content too: they get a portal link to disclose."""
    event = await _event_for_staff(event_slug, principal)
    email = normalize_email(email)
    first_name, last_name = (first_name or "").strip(), (last_name or "").strip()
    problems: list[FieldError] = []
    if message := email_problem(email):
        problems.append(FieldError("planner_email", message))
    if role not in PLANNER_ROLES:
        problems.append(FieldError("planner_role", "Choose planner or reviewer."))
    existing = None if problems else await Speaker.select().where(
        (Speaker.organizer == event["organizer"]) & (Speaker.email == email)).first()
    if existing is None and (not first_name or not last_name):
        problems.append(FieldError("planner_name", "Enter the first and last name of a new person."))
    collect(problems)
    name = f"{existing['first_name']} {existing['last_name']}" if existing else f"{first_name} {last_name}"
    user = await create_user(email, name, roles=[(event["organizer.slug"], Role.speaker)])
    async with transaction():
        speaker_id = await _speaker_of(event["organizer"], user.id, email, first_name, last_name)
        if await insert_or_ignore(EventPlanner(event=event["id"], speaker=speaker_id, role=role)) is None:
            return speaker_id  # a planner already
        token = await issue_login_link(user.id, next_path="/speaker/disclosure", valid_minutes=INVITATION_LINK_MINUTES)
        brand = await brands.of_event(event)
        text, html = render_mail("planner_disclosure", brand=brand, name=name, role=role, event=event,
                                 link=f"{base_url}/login/link/{token}")
        await outbox.enqueue(Message(to=email, subject=f"Your disclosure as {role} of {event['title']}",
                                     text=text, html=html, brand=brand))
    return speaker_id

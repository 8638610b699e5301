"""The speaker portal's use-cases: profile, own sessions, and the session editing rules.

Until the event's edit deadline (or its start, when no deadline is set) a speaker's edits apply
at once; afterwards they become proposals that staff accept or reject.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from confops.core import clock, extension
from confops.core.auth import Principal, Role, require
from confops.core.errors import Conflict, FieldError, NotFound, collect
from confops.core.storage import Storage
from confops.db import transaction
from confops.events.tables import Event, Session
from confops.speakers import uploads
from confops.speakers.identity import own_session_link, own_speaker, speaker_ids
from confops.speakers.invitations import participation
from confops.speakers.tables import (
    ProposalStatus,
    SessionMaterial,
    SessionProposal,
    SessionSpeaker,
    Speaker,
)

PROFILE_LIMITS = {"first_name": 100, "last_name": 100, "credentials": 100, "pronouns": 40,
                  "institution": 200, "city_region": 120, "bio": 2000}
EDITABLE = {"title": 250, "abstract": 4000, "learning_objectives": 2000, "format": 120, "av_needs": 1000}
MIN_CME_OBJECTIVES = 3


async def profile(principal: Principal | None) -> dict:
    return await own_speaker(principal)


async def update_profile(principal: Principal | None, values: dict[str, str]) -> dict:
    speaker = await own_speaker(principal)
    clean, problems = {}, []
    for name, limit in PROFILE_LIMITS.items():
        value = (values.get(name) or "").strip()
        if len(value) > limit:
            problems.append(FieldError(name, f"Use at most {limit} characters."))
        clean[name] = value
    for required in ("first_name", "last_name"):
        if not clean[required]:
            problems.append(FieldError(required, "This is printed in the program: please fill it in."))
    collect(problems)
    await Speaker.update({getattr(Speaker, k): v for k, v in clean.items()}).where(Speaker.id == speaker["id"])
    return {**speaker, **clean}


async def update_photo(principal: Principal | None, data: bytes, storage: Storage) -> str:
    speaker = await own_speaker(principal)
    relative = await uploads.store_photo(data, storage, speaker["id"])
    await Speaker.update({Speaker.photo_path: relative}).where(Speaker.id == speaker["id"])
    return relative


@dataclass
class MySession:
    id: int
    event_slug: str
    event_title: str
    timezone: str
    title: str
    abstract: str
    learning_objectives: str
    format: str
    av_needs: str
    starts_at: object
    ends_at: object
    room: str | None
    role: str
    status: str
    is_cme: bool
    editable: bool
    deadline: object


def _deadline(event: dict):
    return event["edit_deadline"] or event["starts_at"]


async def my_sessions(principal: Principal | None) -> list[MySession]:
    ids = await speaker_ids(principal)
    rows = await SessionSpeaker.select(
        SessionSpeaker.id, SessionSpeaker.role, SessionSpeaker.session.id,
    ).where(SessionSpeaker.speaker.is_in(ids or [0]))
    answers = await participation([r["id"] for r in rows])
    out = []
    for r in rows:
        out.append(await _my_session(r["session.id"], r["role"], answers.get(r["id"], "confirmed")))
    return sorted(out, key=lambda s: s.starts_at)


async def _my_session(session_id: int, role: str, status: str) -> MySession:
    s = await Session.select(*Session.all_columns(), Session.room.name).where(Session.id == session_id).first()
    e = await Event.select().where(Event.id == s["event"]).first()
    return MySession(
        id=s["id"], event_slug=e["slug"], event_title=e["title"], timezone=e["timezone"], title=s["title"],
        abstract=s["abstract"], learning_objectives=s["learning_objectives"], format=s["format"],
        av_needs=s["av_needs"], starts_at=s["starts_at"], ends_at=s["ends_at"], room=s["room.name"],
        role=role, status=status, is_cme=bool(e["cme_enabled"] and s["credit_quarters"]),
        editable=clock.now() <= _deadline(e), deadline=_deadline(e),
    )


async def my_session(principal: Principal | None, session_id: int) -> MySession:
    link = await own_session_link(principal, session_id)
    answers = await participation([link["id"]])
    return await _my_session(session_id, link["role"], answers.get(link["id"], "confirmed"))


def objectives(text: str) -> list[str]:
    return [line.strip(" -•\t") for line in (text or "").splitlines() if line.strip(" -•\t")]


def check_session_edit(values: dict[str, str], is_cme: bool) -> dict[str, str]:
    clean, problems = {}, []
    for name, limit in EDITABLE.items():
        value = (values.get(name) or "").strip()
        if len(value) > limit:
            problems.append(FieldError(name, f"Use at most {limit} characters."))
        clean[name] = value
    if not clean["title"]:
        problems.append(FieldError("title", "Enter a title."))
    if is_cme and len(objectives(clean["learning_objectives"])) < MIN_CME_OBJECTIVES:
        problems.append(FieldError(
            "learning_objectives",
            f"A CME session needs at least {MIN_CME_OBJECTIVES} learning objectives, one per line."))
    collect(problems)
    return clean


async def edit_session(principal: Principal | None, session_id: int, values: dict[str, str]) -> str:
    """Apply the edit before the deadline ('applied'), or file it as a proposal ('proposed')."""
    link = await own_session_link(principal, session_id)
    mine = await my_session(principal, session_id)
    clean = check_session_edit(values, mine.is_cme)
    current = {k: getattr(mine, k) for k in EDITABLE}
    changes = {k: v for k, v in clean.items() if v != current[k]}
    if not changes:
        return "unchanged"
    if mine.editable:
        await Session.update({getattr(Session, k): v for k, v in changes.items()}).where(Session.id == session_id)
        return "applied"
    await SessionProposal(session=session_id, speaker=link["speaker"], changes=json.dumps(changes)).save()
    return "proposed"


async def my_proposals(principal: Principal | None, session_id: int) -> list[dict]:
    link = await own_session_link(principal, session_id)
    rows = await SessionProposal.select().where(
        (SessionProposal.session == session_id) & (SessionProposal.speaker == link["speaker"])
    ).order_by(SessionProposal.created_at, ascending=False)
    return [{**r, "changes": json.loads(r["changes"])} for r in rows]


async def pending_proposals(principal: Principal | None, event_slug: str) -> list[dict]:
    event = await Event.select(Event.id, Event.organizer).where(Event.slug == event_slug).first()
    if not event:
        raise NotFound("There is no such event.")
    require(principal, event["organizer"], Role.registrar)
    rows = await SessionProposal.select(
        *SessionProposal.all_columns(), SessionProposal.session.title, SessionProposal.speaker.first_name,
        SessionProposal.speaker.last_name,
    ).where((SessionProposal.session.event == event["id"]) & (SessionProposal.status == ProposalStatus.pending))
    return [{**r, "changes": json.loads(r["changes"])} for r in rows]


async def decide_proposal(principal: Principal | None, event_slug: str, proposal_id: int, accept: bool) -> str:
    event = await Event.select(Event.id, Event.organizer).where(Event.slug == event_slug).first()
    if not event:
        raise NotFound("There is no such event.")
    require(principal, event["organizer"], Role.registrar)  # before revealing whether the proposal exists
    row = await SessionProposal.select(*SessionProposal.all_columns()).where(
        (SessionProposal.id == proposal_id) & (SessionProposal.session.event == event["id"])).first()
    if not row:
        raise NotFound("There is no such proposal for this event.")
    status = ProposalStatus.accepted if accept else ProposalStatus.rejected
    async with transaction():
        done = await SessionProposal.update({
            SessionProposal.status: status.value, SessionProposal.decided_by: principal.user_id,
            SessionProposal.decided_at: clock.now(),
        }).where((SessionProposal.id == proposal_id) & (SessionProposal.status == ProposalStatus.pending)).returning(
            SessionProposal.id)
        if not done:
            raise Conflict("This proposal was already decided.", code="already_decided")
        if accept:
            changes = json.loads(row["changes"])
            await Session.update({getattr(Session, k): v for k, v in changes.items() if k in EDITABLE}).where(
                Session.id == row["session"])
        await extension.emit("staff_change", actor_id=principal.user_id, action=f"proposal_{status.value}",
                             entity="session_proposal", entity_id=proposal_id, before={"status": row["status"]},
                             after={"status": status.value, "changes": json.loads(row["changes"])})
    return status.value


async def add_material(principal: Principal | None, session_id: int, *, data: bytes, filename: str,
                       share_after_session: bool, storage: Storage) -> int:
    link = await own_session_link(principal, session_id)
    kind, relative = await uploads.store_material(data, storage, session_id)
    row = SessionMaterial(session=session_id, speaker=link["speaker"], kind=kind,
                          filename=re.sub(r"[^A-Za-z0-9._ -]", "_", Path(filename or f"material.{kind}").name)[:200], stored_path=relative,
                          mime_type=uploads.MATERIAL_TYPES[kind], size=len(data),
                          share_after_session=share_after_session)
    await row.save()
    return row.id


async def my_materials(principal: Principal | None, session_id: int) -> list[dict]:
    link = await own_session_link(principal, session_id)
    return await SessionMaterial.select().where(
        (SessionMaterial.session == session_id) & (SessionMaterial.speaker == link["speaker"])
    ).order_by(SessionMaterial.id)


async def shared_materials(session_id: int, principal: Principal | None) -> list[dict]:
    """Materials this person may download: the speaker allowed it, the session is over, and
    they attend the event on a confirmed registration (or teach in the session, or are the
    organizer's staff). Anyone else gets nothing, so the page shows no links."""
    session = await Session.select(Session.ends_at, Session.event, Session.event.organizer.as_alias("organizer")).where(
        Session.id == session_id).first()
    if not session or principal is None or clock.now() < session["ends_at"]:
        return []
    if not await may_see_materials(principal, session_id, session["event"], session["organizer"]):
        return []
    return await SessionMaterial.select(
        SessionMaterial.id, SessionMaterial.filename, SessionMaterial.kind, SessionMaterial.size,
    ).where((SessionMaterial.session == session_id) & (SessionMaterial.share_after_session == True))  # noqa: E712


async def may_see_materials(principal: Principal, session_id: int, event_id: int, organizer_id: int) -> bool:
    if principal.is_staff and organizer_id in principal.staff_organizers():
        return True
    if await SessionSpeaker.exists().where((SessionSpeaker.session == session_id)
                                           & (SessionSpeaker.speaker.email == principal.email)):
        return True
    return any(await extension.collect("is_confirmed_registrant", email=principal.email, event_id=event_id))


async def material_file(material_id: int, session_id: int, principal: Principal | None) -> tuple[dict, str]:
    rows = [m for m in await shared_materials(session_id, principal) if m["id"] == material_id]
    if not rows:
        raise NotFound("There is no such file for this session.")
    full = await SessionMaterial.select().where(SessionMaterial.id == material_id).first()
    return full, full["stored_path"]


async def photo_path(speaker_id: int) -> str:
    row = await Speaker.select(Speaker.photo_path).where(Speaker.id == speaker_id).first()
    if not row or not row["photo_path"]:
        raise NotFound("No photo.")
    return row["photo_path"]

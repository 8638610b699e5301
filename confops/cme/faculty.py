"""Faculty: a verifiable letter of participation listing what they taught, with AMA teaching
credit (2 credits per hour of presentation, MDs and DOs) where the event offers it."""

from __future__ import annotations

from confops.accounts.tables import Organizer
from confops.cme import certificates
from confops.cme.credit_types import is_md_or_do
from confops.cme.designation import activity_of
from confops.cme.rules import format_credit
from confops.core.auth import Principal
from confops.core.errors import NotFound
from confops.events.tables import Event
from confops.speakers.roles import SpeakerRole
from confops.speakers.tables import SessionSpeaker, Speaker

ROLE_LABELS = {SpeakerRole.presenter.value: "Presenter", SpeakerRole.moderator.value: "Moderator",
               SpeakerRole.group_leader.value: "Group leader", SpeakerRole.co_leader.value: "Co-leader"}


async def _speaker_ids(principal: Principal) -> list[int]:
    rows = await Speaker.select(Speaker.id).where((Speaker.user == principal.user_id)
                                                  | (Speaker.email == principal.email.lower()))
    return [r["id"] for r in rows]


async def teaching(principal: Principal) -> list[dict]:
    """Per CME event: the sessions this person taught."""
    ids = await _speaker_ids(principal)
    if not ids:
        return []
    rows = await SessionSpeaker.select(
        SessionSpeaker.role, SessionSpeaker.speaker, SessionSpeaker.session.id.as_alias("session_id"),
        SessionSpeaker.session.code.as_alias("code"), SessionSpeaker.session.title.as_alias("title"),
        SessionSpeaker.session.starts_at.as_alias("starts_at"), SessionSpeaker.session.ends_at.as_alias("ends_at"),
        SessionSpeaker.session.event.as_alias("event_id")).where(
        SessionSpeaker.speaker.is_in(ids) & (SessionSpeaker.session.event.cme_enabled == True))  # noqa: E712
    events: dict[int, dict] = {}
    for r in sorted(rows, key=lambda r: r["starts_at"]):
        events.setdefault(r["event_id"], {"sessions": []})["sessions"].append(r)
    for event_id, item in events.items():
        item["event"] = await Event.select().where(Event.id == event_id).first()
        item["speaker"] = await Speaker.select().where(Speaker.id == item["sessions"][0]["speaker"]).first()
    return sorted(events.values(), key=lambda e: e["event"]["starts_at"], reverse=True)


async def letter(principal: Principal, slug: str) -> dict:
    item = next((e for e in await teaching(principal) if e["event"]["slug"] == slug), None)
    if not item:
        raise NotFound("You taught no CME session at this event.")
    event, speaker = item["event"], item["speaker"]
    activity = await activity_of(event)
    org = await Organizer.select(Organizer.name).where(Organizer.id == event["organizer"]).first()
    lines, minutes = [], 0
    for s in item["sessions"]:
        length = int((s["ends_at"] - s["starts_at"]).total_seconds() // 60)
        minutes += length
        lines.append(f"{ROLE_LABELS.get(s['role'], s['role'])}: {s['code']} {s['title']} ({length} min)")
    if activity["teaching_credit"] and is_md_or_do(speaker["credentials"]) and "ama_pra_1" in activity["offered"]:
        quarters = (minutes * 2) // 15  # 2 credits per 60 minutes, in quarters, rounded down
        lines.append(f"Teaching credit: {format_credit(quarters)} AMA PRA Category 1 Credit(s)™ "
                     f"(2 credits per hour of presentation).")
    content = {"kind": "faculty", "title": "Letter of participation", "learner": f"{speaker['first_name']} "
               f"{speaker['last_name']}".strip(), "credentials": speaker["credentials"] or "",
               "provider": activity["provider"] or org["name"], "issuer": org["name"], "activity": event["title"],
               "dates": certificates.dates_text(event), "location": activity["location"], "lines": lines,
               "summary": "Faculty: " + "; ".join(lines), "accreditation_statement": activity["accreditation"]}
    return await certificates.issue_faculty(content, event["id"], principal.email.lower())

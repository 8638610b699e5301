"""ACCME financial-relationship disclosures: people who control content disclose, CME
coordinators judge relevance and record mitigation, learners see the result before the activity.

Rules kept here (no HTTP): the newest attested disclosure counts; one older than 12 months asks
for renewal; a refusal disqualifies the person from CME sessions; a CME session may not be
published while anyone in it has no current disclosure or a relevant relationship is unmitigated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from confops.core import clock, extension
from confops.core.auth import Principal, Role, require
from confops.core.errors import FieldError, NotFound, collect
from confops.db import transaction
from confops.speakers.identity import own_speaker
from confops.speakers.tables import (
    Disclosure,
    DisclosureKind,
    EventPlanner,
    FinancialRelationship,
    Mitigation,
    MitigationStep,
    Nature,
    SessionSpeaker,
    Speaker,
)

LOOKBACK_MONTHS = 24
RENEW_AFTER = timedelta(days=365)
NATURE_LABELS = {
    Nature.employee: "Employee", Nature.researcher: "Researcher", Nature.consultant: "Consultant",
    Nature.advisor: "Advisor", Nature.speaker: "Speaker", Nature.contractor: "Contractor",
    Nature.royalties_patent: "Royalties/patent", Nature.executive: "Executive",
    Nature.owner_stock: "Owner/stock",
}
STEP_LABELS = {
    MitigationStep.peer_review: "Content peer-reviewed for bias before the session",
    MitigationStep.evidence_based_content: "Recommendations limited to evidence-based content",
    MitigationStep.divest: "Relationship divested",
    MitigationStep.change_role: "Role changed to exclude the relevant topic",
    MitigationStep.attest_no_bias: "Speaker attested content is free of commercial bias",
}
MONTH_RE = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")


@dataclass
class RelationshipView:
    id: int
    company: str
    nature: str
    nature_label: str
    ongoing: bool
    ended_on: str
    relevant: bool | None
    mitigation: dict | None = None

    @property
    def mitigated(self) -> bool:
        return self.mitigation is not None


@dataclass
class DisclosureView:
    speaker_id: int
    status: str  # missing | current | renewal_due | refused
    kind: str | None = None
    attested_at: datetime | None = None
    relationships: list[RelationshipView] = field(default_factory=list)

    @property
    def relevant(self) -> list[RelationshipView]:
        return [r for r in self.relationships if r.relevant]

    @property
    def unmitigated(self) -> list[RelationshipView]:
        return [r for r in self.relevant if not r.mitigated]

    @property
    def unreviewed(self) -> list[RelationshipView]:
        return [r for r in self.relationships if r.relevant is None]


def _months_ago(moment: datetime, months: int) -> tuple[int, int]:
    total = moment.year * 12 + moment.month - 1 - months
    return total // 12, total % 12 + 1


def check_relationships(kind: str, relationships: list[dict], attested: bool) -> list[dict]:
    """Validate a submitted disclosure; every problem is reported against its field."""
    problems: list[FieldError] = []
    if kind not in DisclosureKind.__members__:
        problems.append(FieldError("kind", "Choose: relationships to disclose, nothing to disclose, or decline."))
    if kind != DisclosureKind.refused and not attested:
        problems.append(FieldError("attest", "Tick the box to attest that the disclosure is complete and true."))
    clean = []
    if kind == DisclosureKind.relationships and not relationships:
        problems.append(FieldError("company_0", "List at least one relationship, or choose nothing to disclose."))
    if kind in (DisclosureKind.none, DisclosureKind.refused) and relationships:
        problems.append(FieldError("kind", "Relationships were listed: choose 'I have relationships to disclose'."))
    earliest = _months_ago(clock.now(), LOOKBACK_MONTHS)
    for n, rel in enumerate(relationships):
        i = rel.get("index", n)  # the form row, so messages land next to the right field
        company = (rel.get("company") or "").strip()
        nature = rel.get("nature") or ""
        ongoing = bool(rel.get("ongoing"))
        ended_on = (rel.get("ended_on") or "").strip()
        if not company or len(company) > 200:
            problems.append(FieldError(f"company_{i}", "Enter the company's name (at most 200 characters)."))
        if nature not in Nature.__members__:
            problems.append(FieldError(f"nature_{i}", "Choose the nature of the relationship from the list."))
        if ongoing:
            ended_on = ""
        else:
            match = MONTH_RE.match(ended_on)
            if not match:
                problems.append(FieldError(f"ended_on_{i}", "Give the month it ended as YYYY-MM, or tick ongoing."))
            elif (int(match[1]), int(match[2])) < earliest:
                problems.append(FieldError(
                    f"ended_on_{i}", f"Only relationships of the past {LOOKBACK_MONTHS} months are disclosed."))
            elif (int(match[1]), int(match[2])) > (clock.now().year, clock.now().month):
                problems.append(FieldError(f"ended_on_{i}", "The end month is in the future: tick ongoing instead."))
        clean.append({"company": company, "nature": nature, "ongoing": ongoing, "ended_on": ended_on})
    collect(problems)
    return clean


async def submit(
    principal: Principal | None, *, kind: str, relationships: list[dict], attested: bool,
    speaker_id: int | None = None,
) -> int:
    """The person's own disclosure, attested today. Earlier ones stay as the record."""
    speaker = await own_speaker(principal, speaker_id)
    clean = check_relationships(kind, relationships, attested)
    async with transaction():
        disclosure = Disclosure(speaker=speaker["id"], kind=kind, attested_at=clock.now(),
                                attested_by=principal.user_id)
        await disclosure.save()
        for rel in clean:
            await FinancialRelationship(disclosure=disclosure.id, **rel).save()
    return disclosure.id


async def current(speaker_ids: list[int]) -> dict[int, DisclosureView]:
    """The disclosure that counts for each person (missing ones included)."""
    views = {sid: DisclosureView(sid, "missing") for sid in speaker_ids}
    if not speaker_ids:
        return views
    rows = await Disclosure.select().where(Disclosure.speaker.is_in(speaker_ids)).order_by(
        Disclosure.attested_at, ascending=False).order_by(Disclosure.id, ascending=False)
    latest: dict[int, dict] = {}
    for row in rows:
        latest.setdefault(row["speaker"], row)
    rels = await FinancialRelationship.select().where(
        FinancialRelationship.disclosure.is_in([r["id"] for r in latest.values()] or [0])
    ).order_by(FinancialRelationship.id)
    mitigations = await Mitigation.select(*Mitigation.all_columns(), Mitigation.recorded_by.display_name).where(
        Mitigation.relationship.is_in([r["id"] for r in rels] or [0])
    ).order_by(Mitigation.recorded_at)
    by_rel = {m["relationship"]: m for m in mitigations}  # the newest record wins
    now = clock.now()
    for sid, row in latest.items():
        if row["kind"] == DisclosureKind.refused:
            status = "refused"
        elif now - row["attested_at"] > RENEW_AFTER:
            status = "renewal_due"
        else:
            status = "current"
        views[sid] = DisclosureView(sid, status, row["kind"], row["attested_at"], [
            RelationshipView(r["id"], r["company"], r["nature"], NATURE_LABELS.get(r["nature"], r["nature"]),
                             r["ongoing"], r["ended_on"], r["relevant"], by_rel.get(r["id"]))
            for r in rels if r["disclosure"] == row["id"]
        ])
    return views


async def has_refused(speaker_id: int) -> bool:
    return (await current([speaker_id]))[speaker_id].status == "refused"


async def _relationship_for_coordinator(principal: Principal | None, event_slug: str, relationship_id: int) -> dict:
    """The role is checked first, so nobody learns which relationship ids exist."""
    from confops.events.tables import Event

    event = await Event.select(Event.organizer).where(Event.slug == event_slug).first()
    if event is None:
        raise NotFound("There is no such event.")
    require(principal, event["organizer"], Role.cme_coordinator)
    row = await FinancialRelationship.select(FinancialRelationship.id).where(
        (FinancialRelationship.id == relationship_id)
        & (FinancialRelationship.disclosure.speaker.organizer == event["organizer"])).first()
    if row is None:
        raise NotFound("There is no such relationship.")
    return row


async def review(principal: Principal | None, event_slug: str, relationship_id: int, relevant: bool) -> None:
    await _relationship_for_coordinator(principal, event_slug, relationship_id)
    before = await FinancialRelationship.select(FinancialRelationship.relevant).where(
        FinancialRelationship.id == relationship_id).first()
    await extension.emit("staff_change", actor_id=principal.user_id, action="disclosure_reviewed",
                         entity="financial_relationship", entity_id=relationship_id,
                         before=before, after={"relevant": relevant})
    await FinancialRelationship.update({
        FinancialRelationship.relevant: relevant,
        FinancialRelationship.reviewed_by: principal.user_id,
        FinancialRelationship.reviewed_at: clock.now(),
    }).where(FinancialRelationship.id == relationship_id)


async def mitigate(principal: Principal | None, event_slug: str, relationship_id: int, steps: list[str],
                   notes: str) -> None:
    """Record how a relevant relationship was mitigated (who and when are kept)."""
    await _relationship_for_coordinator(principal, event_slug, relationship_id)
    row = await FinancialRelationship.select(FinancialRelationship.relevant).where(
        FinancialRelationship.id == relationship_id).first()
    problems = []
    if row["relevant"] is not True:
        problems.append(FieldError("relevant", "Mark the relationship relevant before recording mitigation."))
    bad = [s for s in steps if s not in MitigationStep.__members__]
    if not steps or bad:
        problems.append(FieldError("steps", "Choose one or more mitigation steps from the list."))
    if len(notes or "") > 2000:
        problems.append(FieldError("notes", "Use at most 2000 characters."))
    collect(problems)
    await Mitigation(relationship=relationship_id, steps=",".join(steps), notes=(notes or "").strip(),
                     recorded_by=principal.user_id, recorded_at=clock.now()).save()
    await extension.emit("staff_change", actor_id=principal.user_id, action="disclosure_mitigated",
                         entity="financial_relationship", entity_id=relationship_id, before=None,
                         after={"steps": steps, "notes": (notes or "").strip()})


async def session_people(session_ids: list[int], *, withdrawn: bool = False) -> dict[int, list[dict]]:
    """The people of each session; those who withdrew only when asked (the staff editor)."""
    from confops.speakers.withdrawals import withdrawn_pairs

    gone = set() if withdrawn else await withdrawn_pairs(list(session_ids))
    rows = await SessionSpeaker.select(
        SessionSpeaker.session, SessionSpeaker.role, SessionSpeaker.speaker.id,
        SessionSpeaker.speaker.first_name, SessionSpeaker.speaker.last_name, SessionSpeaker.speaker.credentials,
    ).where(SessionSpeaker.session.is_in(session_ids or [0])).order_by(SessionSpeaker.position)
    out: dict[int, list[dict]] = {}
    for r in rows:
        if (r["session"], r["speaker.id"]) in gone:
            continue
        people = out.setdefault(r["session"], [])
        if all(p["id"] != r["speaker.id"] for p in people):
            people.append({"id": r["speaker.id"], "role": r["role"], "credentials": r["speaker.credentials"],
                           "name": f"{r['speaker.first_name']} {r['speaker.last_name']}".strip()})
    return out


async def planners(event_id: int) -> list[dict]:
    rows = await EventPlanner.select(
        EventPlanner.role, EventPlanner.speaker.id, EventPlanner.speaker.first_name, EventPlanner.speaker.last_name,
        EventPlanner.speaker.credentials,
    ).where(EventPlanner.event == event_id).order_by(EventPlanner.id)
    return [{"id": r["speaker.id"], "role": r["role"], "credentials": r["speaker.credentials"],
             "name": f"{r['speaker.first_name']} {r['speaker.last_name']}".strip()} for r in rows]


@dataclass
class LearnerDisclosure:
    """What learners are shown: names, companies (never logos), nature, and "mitigated"."""

    name: str
    credentials: str
    lines: list[str]
    status: str = "current"
    role: str = ""

    @property
    def nothing(self) -> bool:
        return self.status == "current" and not self.lines

    @property
    def pending(self) -> bool:
        return self.status != "current"


# Learners' words for relationships nobody has judged yet: not "nothing to disclose" (there is
# something), and no company either (only relevant ones are shown, and relevance is not known).
UNREVIEWED = "relationship disclosed, review pending"


def _learner(person: dict, view: DisclosureView) -> LearnerDisclosure:
    lines = [f"{r.nature_label}, {r.company}{'' if r.ongoing else ' (ended)'} — "
             f"{'mitigated' if r.mitigated else 'mitigation pending'}" for r in view.relevant]
    if view.unreviewed and view.status != "refused":
        lines.append(UNREVIEWED)
    return LearnerDisclosure(person["name"], person["credentials"], lines, view.status, person.get("role", ""))


async def planners_for_learners(event_id: int) -> list[LearnerDisclosure]:
    people = await planners(event_id)
    views = await current([p["id"] for p in people])
    return [_learner(p, views[p["id"]]) for p in people]


async def planners_of_event(slug: str) -> list[LearnerDisclosure]:
    from confops.events.tables import Event

    row = await Event.select(Event.id).where(Event.slug == slug).first()
    return await planners_for_learners(row["id"]) if row else []


def _blockers_of(person: dict, view: DisclosureView) -> list[str]:
    out = []
    if view.status == "missing":
        out.append(f"{person['name']} has not completed a disclosure.")
    elif view.status == "renewal_due":
        out.append(f"{person['name']}'s disclosure is older than 12 months.")
    elif view.status == "refused":
        out.append(f"{person['name']} declined to disclose and cannot teach in CME sessions.")
    if view.status != "refused":
        if view.unreviewed:
            out.append(f"{person['name']} has relationships not yet reviewed for relevance.")
        if view.unmitigated:
            out.append(f"{person['name']} has a relevant relationship without mitigation.")
    return out


async def planner_blockers(event_id: int) -> list[str]:
    people = await planners(event_id)
    views = await current([p["id"] for p in people])
    return [msg for p in people for msg in _blockers_of(p, views[p["id"]])]


async def for_learners(session_ids: list[int]) -> dict[int, list[LearnerDisclosure]]:
    people = await session_people(session_ids)
    views = await current(sorted({p["id"] for ps in people.values() for p in ps}))
    out: dict[int, list[LearnerDisclosure]] = {}
    for sid, ps in people.items():
        for p in ps:
            out.setdefault(sid, []).append(_learner(p, views[p["id"]]))
    return out


async def cme_blockers(session_ids: list[int]) -> dict[int, list[str]]:
    """Why each CME session may not be published yet (empty: it may). Mitigation counts only
    when it was recorded before the session started (ACCME: mitigate before the activity)."""
    from confops.events.tables import Session

    people = await session_people(session_ids)
    views = await current(sorted({p["id"] for ps in people.values() for p in ps}))
    starts = {r["id"]: r["starts_at"] for r in await Session.select(Session.id, Session.starts_at).where(
        Session.id.is_in(list(people) or [0]))}
    out: dict[int, list[str]] = {}
    for sid, ps in people.items():
        for p in ps:
            view = views[p["id"]]
            if found := _blockers_of(p, view):
                out.setdefault(sid, []).extend(found)
            late = [r for r in view.relevant if r.mitigated and r.mitigation["recorded_at"] > starts[sid]]
            if late:
                out.setdefault(sid, []).append(
                    f"{p['name']}'s mitigation was recorded after the session started.")
    return out


async def organizer_overview(principal: Principal | None, organizer_id: int) -> list[tuple[dict, DisclosureView]]:
    """For coordinators: every speaker of the organizer with their current disclosure."""
    require(principal, organizer_id, Role.cme_coordinator)
    speakers = await Speaker.select().where(Speaker.organizer == organizer_id).order_by(Speaker.last_name)
    views = await current([s["id"] for s in speakers])
    return [(s, views[s["id"]]) for s in speakers]

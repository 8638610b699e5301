"""Demo faculty data: disclosures (mostly "nothing to disclose", one relevant relationship
mitigated, one judged not relevant), learning objectives for CME sessions, and a published
schedule version of the national meeting. Idempotent: rows are found before they are made."""

from __future__ import annotations

from confops.accounts.tables import User
from confops.core import clock
from confops.db import transaction
from confops.events.schedule import freeze_version
from confops.events.tables import Event, ScheduleVersion, Session
from confops.speakers.tables import (
    Disclosure,
    DisclosureKind,
    EventPlanner,
    FinancialRelationship,
    Mitigation,
    MitigationStep,
    Nature,
    Speaker,
)

OBJECTIVES = {
    "balint_group": ("Describe the emotional dimension of a clinician–patient relationship presented in the group.\n"
                     "Practise curious, non-judgemental listening to a colleague's case.\n"
                     "Identify one new way of understanding a difficult patient encounter."),
    "workshop": ("Explain the core principles behind the workshop's topic.\n"
                 "Apply at least one technique from the workshop to their own practice.\n"
                 "Reflect on barriers to using it in their setting and how to address them."),
    "plenary": ("Summarise the evidence presented on the clinician–patient relationship.\n"
                "Relate the findings to their own clinical or teaching work.\n"
                "Identify a change they will consider in their practice."),
    "demonstration": ("Describe the stages of a Balint group as demonstrated.\n"
                      "Recognise the leader's interventions that protect the presenter.\n"
                      "Discuss how the group's parallel process illuminates the case."),
}


def _months_back(months: int) -> str:
    now = clock.now()
    total = now.year * 12 + now.month - 1 - months
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


async def load_speakers_demo() -> int:
    """Returns how many rows were created (0 on a second run)."""
    created = 0
    coordinator = await User.select(User.id).where(User.email == "cme@example.org").first()
    coordinator_id = coordinator["id"] if coordinator else None
    for user in await User.select(User.id, User.email).where(User.email.is_in(
            [r["email"] for r in await Speaker.select(Speaker.email).where(Speaker.user.is_null())] or [""])):
        await Speaker.update({Speaker.user: user["id"]}).where((Speaker.email == user["email"]) & Speaker.user.is_null())
    speakers = await Speaker.select(Speaker.id, Speaker.email, Speaker.user).where(Speaker.organizer.slug == "abs")
    async with transaction():
        for sp in speakers:
            if await Disclosure.exists().where(Disclosure.speaker == sp["id"]):
                continue
            key = sp["email"].split("@")[0]
            kind = DisclosureKind.relationships if key in ("samuel", "priya") else DisclosureKind.none
            disclosure = Disclosure(speaker=sp["id"], kind=kind.value, attested_at=clock.now(), attested_by=sp["user"])
            await disclosure.save()
            created += 1
            if key == "samuel":
                rel = FinancialRelationship(disclosure=disclosure.id, company="Acme Therapeutics, Inc.",
                                            nature=Nature.consultant.value, ongoing=True, ended_on="", relevant=True,
                                            reviewed_by=coordinator_id, reviewed_at=clock.now())
                await rel.save()
                await Mitigation(relationship=rel.id, recorded_by=coordinator_id, recorded_at=clock.now(),
                                 steps=f"{MitigationStep.peer_review.value},{MitigationStep.evidence_based_content.value}",
                                 notes="Slides peer-reviewed by the planning committee; no product discussed.").save()
                created += 2
            elif key == "priya":
                await FinancialRelationship(disclosure=disclosure.id, company="Medisonic Devices",
                                            nature=Nature.speaker.value, ongoing=False, ended_on=_months_back(8),
                                            relevant=False, reviewed_by=coordinator_id,
                                            reviewed_at=clock.now()).save()
                created += 1
        sessions = await Session.select(Session.id, Session.kind).where(
            (Session.credit_quarters > 0) & (Session.learning_objectives == ""))
        for s in sessions:
            if s["kind"] in OBJECTIVES:
                await Session.update({Session.learning_objectives: OBJECTIVES[s["kind"]],
                                      Session.format: "Live, in person"}).where(Session.id == s["id"])
    meeting = await Event.select(Event.id).where(Event.slug == "abs-national-meeting").first()
    for key, role in (("daniel", "planner"), ("hannah", "reviewer")):
        person = next((sp for sp in speakers if sp["email"] == f"{key}@example.org"), None)
        if meeting and person and not await EventPlanner.exists().where(
                (EventPlanner.event == meeting["id"]) & (EventPlanner.speaker == person["id"])):
            await EventPlanner(event=meeting["id"], speaker=person["id"], role=role).save()
            created += 1
    if meeting and not await ScheduleVersion.exists().where(ScheduleVersion.event == meeting["id"]):
        await freeze_version(meeting["id"], None)
        created += 1
    return created

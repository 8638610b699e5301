"""Demo CME designation for every CME event of the demo: the maximum derived from the schedule
(the national meeting's parallel workshops count once: 14.00; the intensive 14.50), complete
designation and accreditation statements, nurses', psychologists' and social workers' credit
with their approval statements where offered, and the national meeting's evaluation."""

from __future__ import annotations

import json

from confops.cme.credit_types import CREDIT_TYPES
from confops.cme.designation import session_credits
from confops.cme.rules import derived_maximum, format_credit
from confops.cme.tables import CmeActivity, CmeSessionCredit, EvaluationQuestion
from confops.demo.rows import ensure_row
from confops.events.tables import Event, Session

SLUG = "abs-national-meeting"
PARALLEL = {"W1": "thu-1615", "W2": "thu-1615", "W3": "fri-1230", "W4": "fri-1230", "W5": "fri-1545",
            "W6": "fri-1545", "W7": "sat-1015", "W8": "sat-1015", "P1": "thu-1300", "G0": "thu-1300"}
QUESTIONS = [
    ("likert", "The activity met its stated learning objectives.", "", True),
    ("likert", "The content was free of commercial bias.", "", True),
    ("choice", "Will you change something in your practice?", "Yes\nNo\nNot sure", False),
    ("text", "What will you do differently?", "", False),
]


def _statements(credits: str) -> list[dict]:
    """Nurses', psychologists' and social workers' credit, each with its accreditor's own
    approval and accreditation statements (the usual wording of credit_types.py)."""
    out = []
    for key in ("ancc", "apa", "aswb"):
        t = CREDIT_TYPES[key]
        out.append({"type": key, "quarters": None,
                    "statement": t.designation_example.format(provider=PROVIDER, credits=credits),
                    "accreditation": t.accreditation_example.format(provider=PROVIDER, credits=credits)})
    return out


PROVIDER = "The American Balint Society"
ACCREDITATION = ("The American Balint Society is accredited by the Accreditation Council for Continuing Medical "
                 "Education (ACCME) to provide continuing medical education for physicians. This activity has been "
                 "planned and implemented in accordance with the accreditation requirements and policies of the "
                 "ACCME.")


def designation_statement(credits: str, fmt: str = "live") -> str:
    return (f"The American Balint Society designates this {fmt} activity for a maximum of {credits} AMA PRA "
            "Category 1 Credit(s)™. Physicians should claim only the credit commensurate with the extent of their "
            "participation in the activity.")


# Every CME event of the demo, with what it offers beyond AMA credit and where it takes place.
EVENTS = {
    SLUG: {"others": True, "format": "live", "location": "Harborview Conference Center, Tacoma, WA"},
    "abs-national-meeting-previous": {"others": False, "format": "live",
                                      "location": "Harborview Conference Center, Tacoma, WA"},
    "balint-theme-day": {"others": False, "format": "live", "location": "Minneapolis Convention Center, Minneapolis, MN"},
    "leader-training-intensive": {"others": True, "format": "live", "location": "Stone Ridge Retreat Center, Bangor, PA"},
    "online-residents-group": {"others": False, "format": "online", "location": "Online"},
}


async def load_cme_demo() -> int:
    """Designate every demo CME event from its schedule: the maximum is what the sessions support
    (parallel sessions once), with complete designation and accreditation statements."""
    made = 0
    for slug, spec in EVENTS.items():
        event = await Event.select().where(Event.slug == slug).first()
        if not event or await CmeActivity.exists().where(CmeActivity.event == event["id"]):
            continue  # staff edits survive a reload
        made += await _designate(event, spec)
    return made


async def _designate(event: dict, spec: dict) -> int:
    made = 1
    if event["slug"] == SLUG:
        sessions = {s["code"]: s["id"] for s in await Session.select(Session.id, Session.code).where(
            Session.event == event["id"])}
        for code, group in PARALLEL.items():
            if code in sessions:
                await ensure_row(CmeSessionCredit, {"session": sessions[code]},
                                 {"credit_types": "", "parallel_group": group})
    quarters = derived_maximum(await session_credits(event["id"]))
    credits = format_credit(quarters)
    types = [{**t, "quarters": quarters} for t in _statements(credits)] if spec["others"] else []
    await Event.update({
        Event.cme_max_credit_quarters: quarters,
        Event.cme_provider: "American Balint Society",
        Event.cme_accreditation_statement: ACCREDITATION,
        Event.cme_designation_statement: designation_statement(credits, spec["format"]),
    }).where(Event.id == event["id"])
    await CmeActivity(event=event["id"], credit_types=json.dumps(types), learning_format=spec["format"],
                      location=spec["location"], evidence="session_scans", min_presence_percent=80).save()
    if event["slug"] == SLUG:
        for pos, (kind, prompt, choices, required) in enumerate(QUESTIONS):
            await EvaluationQuestion(event=event["id"], kind=kind, prompt=prompt, choices=choices,
                                     required=required, position=pos).save()
        made += len(QUESTIONS)
    return made

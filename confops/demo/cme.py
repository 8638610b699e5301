"""Demo CME designation for the ABS national meeting: credit types with their statements,
parallel workshops grouped so they count once, an evaluation, and the derived maximum (14.00)
written into the designation so it agrees with the sessions."""

from __future__ import annotations

import json

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
    return [
        {"type": "ancc", "quarters": None, "statement": f"This activity is approved for {credits} ANCC contact hours."},
        {"type": "apa", "quarters": None, "statement": f"This activity offers {credits} APA CE credits for psychologists."},
        {"type": "aswb", "quarters": None, "statement": f"This activity is approved for {credits} ASWB ACE continuing "
                                                        "education credits for social workers."},
    ]


async def load_cme_demo() -> int:
    event = await Event.select().where(Event.slug == SLUG).first()
    if not event:
        return 0
    if await CmeActivity.exists().where(CmeActivity.event == event["id"]):
        return 0  # staff edits survive a reload
    sessions = {s["code"]: s["id"] for s in await Session.select(Session.id, Session.code).where(
        Session.event == event["id"])}
    for code, group in PARALLEL.items():
        if code in sessions:
            await ensure_row(CmeSessionCredit, {"session": sessions[code]}, {"credit_types": "", "parallel_group": group})
    quarters = derived_maximum(await session_credits(event["id"]))
    credits = format_credit(quarters)
    types = [{**t, "quarters": quarters} for t in _statements(credits)]
    await Event.update({
        Event.cme_max_credit_quarters: quarters,
        Event.cme_designation_statement: (f"The American Balint Society designates this live activity for a maximum "
                                          f"of {credits} AMA PRA Category 1 Credit(s)™. Physicians should claim only "
                                          "the credit commensurate with the extent of their participation in the "
                                          "activity."),
    }).where(Event.id == event["id"])
    await CmeActivity(event=event["id"], credit_types=json.dumps(types), learning_format="live",
                      location="Harborview Conference Center, Tacoma, WA", evidence="session_scans",
                      min_presence_percent=80).save()
    for pos, (kind, prompt, choices, required) in enumerate(QUESTIONS):
        await EvaluationQuestion(event=event["id"], kind=kind, prompt=prompt, choices=choices, required=required,
                                 position=pos).save()
    return 1 + len(QUESTIONS)

"""Evaluations: questions per event and per session (Likert, choice, free text, required or
not), answered anonymously, summarised per session with counts for planners and speakers."""

from __future__ import annotations

from collections import Counter

from confops.cme.access import staff_event
from confops.cme.tables import EvaluationAnswer, EvaluationDone, EvaluationQuestion
from confops.core.auth import Principal
from confops.core.errors import Conflict, FieldError, collect
from confops.db import transaction
from confops.events.tables import Session

LIKERT = ("Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree")
KINDS = ("likert", "choice", "text")


def options(question: dict) -> list[str]:
    if question["kind"] == "likert":
        return list(LIKERT)
    if question["kind"] == "choice":
        return [c.strip() for c in (question["choices"] or "").splitlines() if c.strip()]
    return []


async def add_question(principal: Principal, slug: str, *, prompt: str, kind: str, choices: str, required: bool,
                       session_id: int | None) -> None:
    event = await staff_event(principal, slug)
    problems = []
    if not (prompt or "").strip():
        problems.append(FieldError("prompt", "Write the question."))
    if kind not in KINDS:
        problems.append(FieldError("kind", "Choose Likert, choice or free text."))
    if kind == "choice" and len([c for c in (choices or "").splitlines() if c.strip()]) < 2:
        problems.append(FieldError("choices", "Give at least two choices, one per line."))
    if session_id and not await Session.exists().where((Session.id == session_id) & (Session.event == event["id"])):
        problems.append(FieldError("session", "No such session in this event."))
    collect(problems)
    count = await EvaluationQuestion.count().where(EvaluationQuestion.event == event["id"])
    await EvaluationQuestion(event=event["id"], session=session_id or None, kind=kind, prompt=prompt.strip()[:300],
                             choices=choices or "", required=required, position=count).save()


async def questions_for(event_id: int, session_ids: set[int]) -> list[dict]:
    """The event's questions, then each attended session's own."""
    rows = await EvaluationQuestion.select().where(EvaluationQuestion.event == event_id).order_by(
        EvaluationQuestion.position)
    return [{**q, "options": options(q)} for q in rows if q["session"] is None or q["session"] in session_ids]


async def submit(attendee: dict, event_id: int, session_ids: set[int], form: dict) -> None:
    if await EvaluationDone.exists().where(EvaluationDone.attendee == attendee["id"]):
        raise Conflict("You have already sent your evaluation. Thank you.", code="evaluated")
    questions = await questions_for(event_id, session_ids)
    problems, answers = [], []
    for q in questions:
        value = (form.get(f"q{q['id']}") or "").strip()
        if q["options"] and value and value not in q["options"]:
            problems.append(FieldError(f"q{q['id']}", "Choose one of the answers."))
        elif not value and q["required"]:
            problems.append(FieldError(f"q{q['id']}", "This question needs an answer."))
        elif value:
            answers.append(EvaluationAnswer(question=q["id"], session=q["session"], value=value[:4000]))
    collect(problems)
    async with transaction():
        if answers:
            await EvaluationAnswer.insert(*answers)
        await EvaluationDone(attendee=attendee["id"], event=event_id).save()


async def summary(event_id: int, session_ids: set[int] | None = None) -> list[dict]:
    """Per question (grouped by session): counts per option, or the free-text answers; no names."""
    where = EvaluationQuestion.event == event_id
    questions = await EvaluationQuestion.select(EvaluationQuestion.all_columns(),
                                                EvaluationQuestion.session.code.as_alias("code"),
                                                EvaluationQuestion.session.title.as_alias("session_title")).where(
        where).order_by(EvaluationQuestion.position)
    if session_ids is not None:
        questions = [q for q in questions if q["session"] in session_ids]
    answers = await EvaluationAnswer.select(EvaluationAnswer.question, EvaluationAnswer.value).where(
        EvaluationAnswer.question.is_in([q["id"] for q in questions] or [0]))
    by_q: dict[int, list[str]] = {}
    for a in answers:
        by_q.setdefault(a["question"], []).append(a["value"])
    out = []
    for q in questions:
        values = by_q.get(q["id"], [])
        opts = options(q)
        counts = Counter(values)
        out.append({"question": q, "session_label": f"{q['code']} {q['session_title']}" if q["session"] else "The activity",
                    "n": len(values), "counts": [(o, counts.get(o, 0)) for o in opts],
                    "texts": sorted(values) if not opts else []})
    return out


async def speaker_summary(session_ids: set[int], event_id: int) -> list[dict]:
    if not session_ids:
        return []
    return await summary(event_id, session_ids)

"""The designation of an event (credit types, statements, format, deadline, evidence) and of
its sessions (credit in 0.25 steps, types, parallel groups), with the derived maximum checked."""

from __future__ import annotations

import json
from datetime import datetime

from confops.cme.access import staff_event
from confops.cme.credit_types import CREDIT_TYPES
from confops.cme.kinds import Evidence
from confops.cme.rules import (
    SCAN_EARLY_MINUTES,
    SessionCredit,
    derived_maximum,
    designation_problem,
    format_credit,
    parse_credit,
    parse_scan_window,
)
from confops.cme.tables import CmeActivity, CmeClaim, CmeSessionCredit, EvaluationQuestion
from confops.core import clock
from confops.core.auth import Principal
from confops.core.errors import FieldError, NotFound, collect
from confops.core.extension import emit
from confops.db import transaction, upsert
from confops.documents.certificates import FORMATS as FORMAT_WORDS
from confops.events.kinds import SessionKind
from confops.events.tables import Event, Session

NON_EDUCATIONAL = (SessionKind.break_.value, SessionKind.meal.value)
FORMATS = tuple(FORMAT_WORDS)  # the stored values


def _types(raw) -> list[dict]:
    data = json.loads(raw) if isinstance(raw, str) else raw
    return [t for t in (data or []) if t.get("type") in CREDIT_TYPES]


async def activity_of(event: dict) -> dict:
    """The activity's designation (defaults when nothing is saved yet); AMA comes from Event."""
    row = await CmeActivity.select().where(CmeActivity.event == event["id"]).first()
    location = ", ".join(p for p in (event.get("venue_name"), event.get("city"), event.get("region")) if p)
    row = row or {"credit_types": [], "learning_format": "online" if event.get("online") else "live",
                  "location": "Online" if event.get("online") else location, "claim_deadline": None,
                  "evidence": Evidence.session_scans.value, "min_presence_percent": 80, "teaching_credit": False,
                  "scan_early_minutes": SCAN_EARLY_MINUTES}
    types = [t for t in _types(row["credit_types"]) if t["type"] != "ama_pra_1"]
    if event.get("cme_max_credit_quarters"):
        types.insert(0, {"type": "ama_pra_1", "quarters": event["cme_max_credit_quarters"],
                         "statement": event.get("cme_designation_statement") or ""})
    return {**row, "credit_types": types, "offered": [t["type"] for t in types],
            "provider": event.get("cme_provider") or "", "accreditation": event.get("cme_accreditation_statement") or "",
            "evaluation_required": bool(event.get("cme_evaluation_required")), "enabled": bool(event.get("cme_enabled"))}


def maximum_of(activity: dict, credit_type: str) -> int:
    """The designated maximum for a type; participation certificates state the largest one."""
    quarters = {t["type"]: t["quarters"] for t in activity["credit_types"]}
    if credit_type == "participation":
        return max(quarters.values(), default=0)
    return quarters.get(credit_type, 0)


def statement_of(activity: dict, credit_type: str) -> str:
    statements = {t["type"]: t.get("statement", "") for t in activity["credit_types"]}
    if credit_type == "participation":
        return statements.get("ama_pra_1") or next(iter(statements.values()), "")
    return statements.get(credit_type, "")


def accreditation_of(activity: dict, credit_type: str) -> str:
    """The accreditation (approval) statement a certificate of this type prints: the nurses',
    psychologists' and social workers' accreditor's own, else the ACCME's of the activity."""
    own = {t["type"]: (t.get("accreditation") or "").strip() for t in activity["credit_types"]}
    if credit_type in CREDIT_TYPES and CREDIT_TYPES[credit_type].own_accreditation:
        return own.get(credit_type, "")
    return own.get(credit_type) or activity["accreditation"]


def statement_problems(activity: dict) -> list[str]:
    """What the activity lacks before claims open and certificates are issued: a provider, its
    accreditation statement, and the designation (or approval) statement of every credit type."""
    problems = []
    if not activity["credit_types"]:
        problems.append("No credit type is designated.")
    if not (activity["provider"] or "").strip():
        problems.append("The accredited provider is not named.")
    if not (activity["accreditation"] or "").strip():
        problems.append("The accreditation statement is missing.")
    for t in activity["credit_types"]:
        if not (t.get("statement") or "").strip():
            problems.append(f"{CREDIT_TYPES[t['type']].name}: the designation statement is missing.")
        if CREDIT_TYPES[t["type"]].own_accreditation and not (t.get("accreditation") or "").strip():
            problems.append(f"{CREDIT_TYPES[t['type']].name}: the accreditor's own accreditation statement is "
                            "missing.")
    return problems


async def session_credits(event_id: int) -> list[SessionCredit]:
    sessions = await Session.select(Session.id, Session.credit_quarters, Session.starts_at, Session.ends_at,
                                    Session.kind).where(Session.event == event_id).order_by(Session.starts_at)
    extra = {r["session"]: r for r in await CmeSessionCredit.select().where(
        CmeSessionCredit.session.is_in([s["id"] for s in sessions] or [0]))}
    out = []
    for s in sessions:
        e = extra.get(s["id"], {})
        quarters = 0 if s["kind"] in NON_EDUCATIONAL else s["credit_quarters"] or 0
        types = frozenset(t for t in (e.get("credit_types") or "").split(",") if t)
        out.append(SessionCredit(s["id"], quarters, s["starts_at"], s["ends_at"], e.get("parallel_group") or "", types))
    return out


async def overview(principal: Principal, slug: str) -> dict:
    event = await staff_event(principal, slug, read_only=True)
    activity = await activity_of(event)
    credits = {c.id: c for c in await session_credits(event["id"])}
    rows = await Session.select(Session.id, Session.code, Session.title, Session.kind, Session.starts_at,
                                Session.ends_at).where(Session.event == event["id"]).order_by(Session.starts_at)
    sessions = []
    for s in rows:
        c = credits[s["id"]]
        sessions.append({**s, "credit": c, "minutes": c.minutes, "problem": designation_problem(c.quarters, c.minutes),
                         "educational": s["kind"] not in NON_EDUCATIONAL})
    problems = []
    derived = {}
    for t in activity["credit_types"]:
        derived[t["type"]] = derived_maximum(credits.values(), t["type"])
        if t["quarters"] > derived[t["type"]]:
            problems.append(f"{CREDIT_TYPES[t['type']].name}: designated {format_credit(t['quarters'])} but the "
                            f"sessions give at most {format_credit(derived[t['type']])} (parallel sessions once).")
    problems += [f"{s['code']}: {s['problem']}" for s in sessions if s["problem"]]
    problems += [f"{p} Claims stay closed until it is given." for p in statement_problems(activity)]
    deadline = activity["claim_deadline"]
    activity["claim_deadline_local"] = clock.local(deadline, event["timezone"]).date().isoformat() if deadline else ""
    return {"event": event, "activity": activity, "sessions": sessions, "derived": derived, "problems": problems,
            "derived_all": derived_maximum(credits.values()), "closed": await closed_because(event)}


def _started(event: dict) -> bool:
    return clock.now() >= event["starts_at"]


async def closed_because(event: dict) -> str | None:
    """Why the designation is no longer open (None: it is). It is made in advance: it closes once
    the event has started, or once a learner has claimed (retroactive designation is not allowed)."""
    if await CmeClaim.exists().where(CmeClaim.event == event["id"]):
        return "Designation is made in advance: learners have already claimed credit for this activity."
    if _started(event):
        return "Designation is made in advance: this event has started."
    return None


async def _correction_problems(event: dict, closed: str, reason: str, types: list[dict]) -> list[FieldError]:
    """A correction says why, and cannot withdraw a credit type learners have claimed."""
    problems = []
    if not reason:
        problems.append(FieldError("correction_reason", f"{closed} A change now is a correction: say why it is "
                                                        "made (learners whose certificates change are told)."))
    claimed = {c["credit_type"] for c in await CmeClaim.select(CmeClaim.credit_type).where(
        CmeClaim.event == event["id"])}
    for gone in sorted(claimed - {t["type"] for t in types} - {"participation"}):
        problems.append(FieldError(f"offer_{gone}", f"Learners have claimed {CREDIT_TYPES[gone].name} credit: a "
                                                    "correction cannot withdraw it (revoke their certificates first "
                                                    "if it must go)."))
    return problems


def _offered_types(form: dict, problems: list[FieldError]) -> list[dict]:
    """Each credit type the form offers: its maximum, designation statement and, for credit
    approved by its own accreditor, that accreditor's statement."""
    types = []
    for key in CREDIT_TYPES:
        if key == "participation" or not form.get(f"offer_{key}"):
            continue
        try:
            quarters = parse_credit(form.get(f"max_{key}") or "0")
        except ValueError as exc:
            problems.append(FieldError(f"max_{key}", str(exc)))
            continue
        statement = (form.get(f"statement_{key}") or "").strip()
        if quarters <= 0:
            problems.append(FieldError(f"max_{key}", "Give the designated maximum."))
        if not statement:
            problems.append(FieldError(f"statement_{key}", "Give the designation or approval statement."))
        accreditation = (form.get(f"accreditation_{key}") or "").strip()
        if CREDIT_TYPES[key].own_accreditation and not accreditation:
            problems.append(FieldError(f"accreditation_{key}", f"Give the accreditation statement of "
                                                               f"{CREDIT_TYPES[key].name}: its certificates print "
                                                               "it instead of the ACCME's."))
        types.append({"type": key, "quarters": quarters, "statement": statement, "accreditation": accreditation})
    return types


async def save_activity(principal: Principal, slug: str, form: dict) -> None:
    """Designation is made in advance (see closed_because), never above what the sessions support.
    Once closed, a change is a correction: the coordinator says why (audited), and the
    certificates already issued are issued again with it (cme/reissue.py)."""
    event = await staff_event(principal, slug)
    closed = await closed_because(event)
    correction = (form.get("correction_reason") or "").strip()[:1000]
    problems: list[FieldError] = []
    types = _offered_types(form, problems)
    fmt = form.get("learning_format") or "live"
    if fmt not in FORMATS:
        problems.append(FieldError("learning_format", "Choose live, online or enduring."))
    evidence = form.get("evidence") or Evidence.session_scans.value
    if evidence not in {e.value for e in Evidence}:
        problems.append(FieldError("evidence", "Choose how attendance is evidenced."))
    try:
        share = int(form.get("min_presence_percent") or 80)
        if not 1 <= share <= 100:
            raise ValueError
    except ValueError:
        problems.append(FieldError("min_presence_percent", "A whole percentage from 1 to 100."))
        share = 80
    before = await activity_of(event)
    early = before["scan_early_minutes"]
    if "scan_early_minutes" in form:  # a form without the field leaves the setting as it is
        try:
            early = parse_scan_window(form["scan_early_minutes"])
        except ValueError as exc:
            problems.append(FieldError("scan_early_minutes", str(exc)))
    deadline = None
    if form.get("claim_deadline"):
        try:
            day = datetime.fromisoformat(form["claim_deadline"])
            if len(form["claim_deadline"]) <= 10:  # a date: claims stay open to the end of that day
                day = day.replace(hour=23, minute=59, second=59)
            deadline = day.replace(tzinfo=clock.zone(event["timezone"]))
        except ValueError:
            problems.append(FieldError("claim_deadline", "A date such as 2027-06-30."))
    if not (form.get("provider") or "").strip():
        problems.append(FieldError("provider", "Name the accredited provider."))
    credits = await session_credits(event["id"])
    for t in types:
        supported = derived_maximum(credits, t["type"])
        if t["quarters"] > supported:
            problems.append(FieldError(f"max_{t['type']}", f"The sessions support at most {format_credit(supported)} "
                                                          "credits (parallel sessions once, breaks and meals excluded)."))
    if closed:
        problems += await _correction_problems(event, closed, correction, types)
    collect(problems)
    ama = next((t for t in types if t["type"] == "ama_pra_1"), None)
    values = {"credit_types": json.dumps([t for t in types if t["type"] != "ama_pra_1"]), "learning_format": fmt,
              "location": (form.get("location") or "").strip()[:200], "claim_deadline": deadline,
              "evidence": evidence, "min_presence_percent": share, "teaching_credit": bool(form.get("teaching_credit")),
              "scan_early_minutes": early}
    async with transaction():
        await Event.update({
            Event.cme_enabled: True, Event.cme_provider: form["provider"].strip()[:200],
            Event.cme_accreditation_statement: (form.get("accreditation") or "").strip(),
            Event.cme_max_credit_quarters: ama["quarters"] if ama else 0,
            Event.cme_designation_statement: ama["statement"] if ama else "",
            Event.cme_evaluation_required: bool(form.get("evaluation_required")),
        }).where(Event.id == event["id"])
        await upsert(CmeActivity(event=event["id"], **values), CmeActivity.event,
                     [getattr(CmeActivity, name) for name in values])
        after = {"credit_types": types, "evidence": evidence, "scan_early_minutes": early}
        await emit("staff_change", actor_id=principal.user_id,
                   action="cme_designation_corrected" if closed else "cme_designation", entity="event",
                   entity_id=event["id"], before={"credit_types": before["credit_types"],
                                                  "scan_early_minutes": before["scan_early_minutes"]},
                   after={**after, "reason": correction} if closed else after)
        if closed:
            # imported here: it issues certificates, and certificates read this module
            from confops.cme.reissue import reissue_after_correction

            await reissue_after_correction(await Event.select().where(Event.id == event["id"]).first(), correction)


async def save_session(principal: Principal, slug: str, session_id: int, credit: str, types: list[str],
                       group: str, *, correction: str = "") -> None:
    """A session's credit, types and parallel group; once the designation is closed, a correction
    with its reason, as for the activity (save_activity)."""
    event = await staff_event(principal, slug)
    closed = await closed_because(event)
    correction = (correction or "").strip()[:1000]
    session = await Session.select().where((Session.id == session_id) & (Session.event == event["id"])).first()
    if not session:
        raise NotFound("There is no such session in this event.")
    problems: list[FieldError] = []
    if closed and not correction:
        problems.append(FieldError("correction_reason", f"{closed} A change now is a correction: say why it is "
                                                        "made (learners whose certificates change are told)."))
    quarters = 0
    try:
        quarters = parse_credit(credit or "0")
    except ValueError as exc:
        problems.append(FieldError("credit", str(exc)))
    minutes = int((session["ends_at"] - session["starts_at"]).total_seconds() // 60)
    if session["kind"] in NON_EDUCATIONAL and quarters:
        problems.append(FieldError("credit", "Breaks and meals carry no credit."))
    elif not problems and (problem := designation_problem(quarters, minutes)):
        problems.append(FieldError("credit", problem))
    bad = [t for t in types if t not in CREDIT_TYPES or t == "participation"]
    if bad:
        problems.append(FieldError("types", "Unknown credit type."))
    group = (group or "").strip()[:40]
    if not problems:  # the activity's designation must stay within what the sessions then support
        credits = [c for c in await session_credits(event["id"]) if c.id != session_id]
        credits.append(SessionCredit(session_id, 0 if session["kind"] in NON_EDUCATIONAL else quarters,
                                     session["starts_at"], session["ends_at"], group, frozenset(types)))
        for t in (await activity_of(event))["credit_types"]:
            supported = derived_maximum(credits, t["type"])
            if t["quarters"] > supported:
                problems.append(FieldError("credit", f"The activity is designated for {format_credit(t['quarters'])} "
                                                     f"{CREDIT_TYPES[t['type']].name} credits; with this change the "
                                                     f"sessions would support {format_credit(supported)}. Lower the "
                                                     "activity's designation first."))
                break
    collect(problems)
    async with transaction():
        await Session.update({Session.credit_quarters: quarters}).where(Session.id == session_id)
        values = {"credit_types": ",".join(types), "parallel_group": group}
        await upsert(CmeSessionCredit(session=session_id, **values), CmeSessionCredit.session,
                     [getattr(CmeSessionCredit, name) for name in values])
        after = {"credit_quarters": quarters, **values}
        await emit("staff_change", actor_id=principal.user_id,
                   action="cme_session_designation_corrected" if closed else "cme_session_designation",
                   entity="session", entity_id=session_id, before={"credit_quarters": session["credit_quarters"]},
                   after={**after, "reason": correction} if closed else after)
        if closed:
            from confops.cme.reissue import reissue_after_correction

            await reissue_after_correction(event, correction)


async def copy_designation(source_id: int, event_id: int, days: int, sessions: dict[int, int]) -> None:
    """A copied event keeps the source's designation as a starting point: its activity (claim
    deadline moved by `days` at the same wall time), each session's credit types and parallel
    group, and the evaluation questions. It starts open for changes: the copy has not started and
    nobody has claimed (what closes a designation, see closed_because). Inside the copy's transaction."""
    activity = await CmeActivity.select().where(CmeActivity.event == source_id).first()
    if activity is not None:
        tz = (await Event.select(Event.timezone).where(Event.id == event_id).first())["timezone"]
        values = {k: v for k, v in activity.items() if k not in ("id", "event")}
        values["claim_deadline"] = clock.days_later_same_wall_time(activity["claim_deadline"], days, tz)
        await CmeActivity.insert(CmeActivity(event=event_id, **values))
    for row in await CmeSessionCredit.select().where(CmeSessionCredit.session.is_in(list(sessions) or [0])):
        await CmeSessionCredit.insert(CmeSessionCredit(session=sessions[row["session"]],
                                                       credit_types=row["credit_types"],
                                                       parallel_group=row["parallel_group"]))
    for row in await EvaluationQuestion.select().where(EvaluationQuestion.event == source_id):
        if row["session"] is not None and row["session"] not in sessions:
            continue
        await EvaluationQuestion.insert(EvaluationQuestion(**{
            **{k: v for k, v in row.items() if k != "id"}, "event": event_id,
            "session": sessions.get(row["session"]) if row["session"] is not None else None}))

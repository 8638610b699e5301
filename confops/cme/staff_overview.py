"""The coordinator's CME overview at meeting size: counts, claimed credit per type and per
session, and the PARS activity summary, all aggregated in the database; the learners who
attended but have not claimed are shown a page at a time (cme/learner_list.py), their credit
worked out for that page only, never every learner's on each view."""

from __future__ import annotations

from collections import defaultdict

from confops.cme import learner_list, learners, pars
from confops.cme.access import staff_event
from confops.cme.credit_types import CREDIT_TYPES, is_md_or_do
from confops.cme.designation import activity_of
from confops.cme.listeners import kept_until
from confops.cme.reports import activity_facts
from confops.cme.rules import format_credit
from confops.cme.tables import CmeClaim
from confops.core.auth import Principal
from confops.db import current_engine, is_sqlite

# Claims of active registrations (a cancelled registration's claim is not the event's any more).
_CLAIMS = ("FROM cme_claim c JOIN registration_attendee a ON a.id = c.attendee "
           "WHERE c.event = {} AND a.status = 'active'")


def _per_session_sql() -> str:
    """Claims per session and credit type: each claim's JSON list of sessions opened in SQL."""
    if is_sqlite(current_engine()):
        return ("SELECT CAST(j.value AS INTEGER) AS session, c.credit_type, COUNT(*) AS n "
                "FROM cme_claim c JOIN registration_attendee a ON a.id = c.attendee, json_each(c.sessions) j "
                "WHERE c.event = {} AND a.status = 'active' GROUP BY 1, 2")
    return ("SELECT j.value::int AS session, c.credit_type, COUNT(*) AS n "
            "FROM cme_claim c JOIN registration_attendee a ON a.id = c.attendee "
            "CROSS JOIN LATERAL json_array_elements_text(c.sessions::json) AS j(value) "
            "WHERE c.event = {} AND a.status = 'active' GROUP BY 1, 2")


async def overview(principal: Principal, slug: str) -> dict:
    event = await staff_event(principal, slug, read_only=True)
    counts = await learner_list.counts(event)
    totals = await CmeClaim.raw(f"SELECT c.credit_type, SUM(c.quarters) AS quarters, COUNT(*) AS n {_CLAIMS} "
                                "GROUP BY c.credit_type ORDER BY c.credit_type", event["id"])
    per_session: dict[int, dict[str, int]] = defaultdict(dict)
    for r in await CmeClaim.raw(_per_session_sql(), event["id"]):
        per_session[int(r["session"])][CREDIT_TYPES[r["credit_type"]].name] = r["n"]
    credentials = await CmeClaim.raw(f"SELECT a.credentials, COUNT(*) AS n {_CLAIMS} GROUP BY a.credentials",
                                     event["id"])
    physicians = sum(r["n"] for r in credentials if is_md_or_do(r["credentials"]))
    claimed = sum(r["n"] for r in totals)
    unclaimed = await learner_list.learner_page(event, show="attended")
    activity = await activity_of(event)
    return {"event": event, "registered": counts["registered"], "claimed": claimed,
            "attended": counts["attended"], "attended_unclaimed": unclaimed,
            "totals": {CREDIT_TYPES[r["credit_type"]].name: format_credit(r["quarters"]) for r in totals},
            "per_session": [{"session": s, "counts": per_session[s["id"]]}
                            for s in await learners.sessions_of(event["id"]) if per_session[s["id"]]],
            "summary": {**activity_facts(event, activity, await pars.reporting_of(event, activity)), "learners_physicians": physicians,
                        "learners_others": claimed - physicians, "registered": counts["registered"],
                        "attended": counts["attended"]},
            "kept_until": kept_until(event)}

"""The coordinator's CME overview at meeting size: counts, claimed credit per type and per
session, and the PARS activity summary, all aggregated in the database; the learners who
attended but have not claimed are shown a page at a time (cme/learner_list.py), their credit
worked out for that page only, never every learner's on each view."""

from __future__ import annotations

from collections import defaultdict

from confops.cme import learner_list, learners, pars, tallies
from confops.cme.access import staff_event
from confops.cme.credit_types import CREDIT_TYPES, is_md_or_do
from confops.cme.designation import activity_of
from confops.cme.listeners import kept_until
from confops.cme.reports import activity_facts
from confops.cme.rules import format_credit
from confops.core.auth import Principal


async def overview(principal: Principal, slug: str) -> dict:
    event = await staff_event(principal, slug, read_only=True)
    counts = await learner_list.counts(event)
    # Claims of active registrations per credit type, session and credentials: running sums
    # (cme/tallies.py), not a pass over every claim on each view.
    kept = await tallies.sums(event["id"])
    totals = sorted((key, n, quarters) for (kind, key), (n, quarters) in kept.items() if kind == "credit" and n)
    per_session: dict[int, dict[str, int]] = defaultdict(dict)
    for (kind, key), (n, _) in kept.items():
        if kind == "session" and n:
            session, _, credit_type = key.partition("|")
            per_session[int(session)][CREDIT_TYPES[credit_type].name] = n
    physicians = sum(n for (kind, key), (n, _) in kept.items() if kind == "credentials" and is_md_or_do(key))
    claimed = sum(n for _, n, _ in totals)
    unclaimed = await learner_list.learner_page(event, show="attended")
    activity = await activity_of(event)
    return {"event": event, "registered": counts["registered"], "held": counts["held"], "claimed": claimed,
            "attended": counts["attended"], "attended_unclaimed": unclaimed,
            "totals": {CREDIT_TYPES[credit_type].name: format_credit(quarters) for credit_type, _, quarters in totals},
            "per_session": [{"session": s, "counts": per_session[s["id"]]}
                            for s in await learners.sessions_of(event["id"]) if per_session[s["id"]]],
            "summary": {**activity_facts(event, activity, await pars.reporting_of(event, activity)), "learners_physicians": physicians,
                        "learners_others": claimed - physicians, "registered": counts["registered"],
                        "attended": counts["attended"]},
            "kept_until": kept_until(event)}

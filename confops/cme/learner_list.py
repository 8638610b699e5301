"""The coordinator's learner list at meeting size: one page of learners at a time.

Which learners, how many, and the filters (claimed / attended but not claimed / no attendance
yet) are SQL over the registrations, the attendance evidence and the claims; only the learners
on the page get their credit worked out by the rules (`learners.state`), with their evidence,
claims and evaluations read for the page in one query each. So the page costs the same at
20,000 registrations as at 200.

"Attended" here means attendance recorded (cme/recorded.py): the evidence the credit rule
weighs for a session, as it chooses it (the latest staff correction or roll call, an
attestation where the activity is evidenced by them, a present scan inside the session's
window, an entry scan where the event counts them); a scan outside every window is worth
nothing to credit (cme/rules.py in_window), so it is not counted here either. Whether the
attendance earns credit (the share of a session the learner was present for, the day an entry
scan was taken, their own talks) is the rules' answer, shown per learner.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from piccolo.columns.combination import WhereRaw

from confops.cme import recorded, reports
from confops.cme import tallies as cme_tallies
from confops.core.paging import Page, paged
from confops.db import current_engine
from confops.registration import tallies as people
from confops.registration.name_keys import search_pattern
from confops.registration.tables import Attendee, AttendeeStatus, OrderStatus

FILTERS = {"claimed": "Claimed", "attended": "Attended, not claimed", "not_yet": "No attendance yet"}

_CLAIMED = "EXISTS (SELECT 1 FROM cme_claim c WHERE c.attendee = registration_attendee.id)"


def _present(negate: bool = False) -> WhereRaw:
    return WhereRaw(("NOT " if negate else "")
                    + recorded.attended("registration_attendee", current_engine().engine_type))


def _where(event_id: int, show: str, q: str):
    where = (Attendee.event == event_id) & (Attendee.status == AttendeeStatus.active.value)
    if show == "claimed":
        where &= WhereRaw(_CLAIMED)
    elif show == "attended":  # whom a reminder to claim is for: settled registrations, as `counts`
        where &= (WhereRaw(f"NOT {_CLAIMED}") & _present()
                  & (Attendee.order.status == OrderStatus.confirmed.value))
    elif show == "not_yet":
        where &= WhereRaw(f"NOT {_CLAIMED}") & _present(negate=True)
    q = (q or "").strip()[:100]
    if q:  # part of a name, e-mail or institution, without regard to case or accents
        where &= WhereRaw("registration_attendee.search_text LIKE {}", search_pattern(q))
    return where


async def counts(event: dict) -> dict[str, int]:
    """Confirmed learners (paid, free or complimentary: the only ones who can claim credit,
    cme/learners.py standings, and the dashboard's "confirmed"), those held for unpaid orders,
    the confirmed ones with attendance recorded, and those who claimed: from the running
    tallies the database keeps (registration/tallies.py, cme/tallies.py), which cost the same
    whatever the event's size."""
    kept = await cme_tallies.sums(event["id"])
    by_state: Counter = Counter()
    for (state, *_), n in (await people.counts(event["id"])).items():
        by_state[state] += n
    return {"registered": by_state["confirmed"], "held": by_state["held"],
            "attended": kept.get(("attended", ""), (0, 0))[0] + await cme_tallies.attended_noted(event["id"]),
            "claimed": kept.get(("claimed", ""), (0, 0))[0]}


async def learner_page(event: dict, *, page: int = 1, show: str = "", q: str = "") -> Page:
    """One page of the event's learners by last name, each with its `reports.learner_rows` row
    (name, sessions attended, eligible credit of the usual type, claim, evaluation, standing)."""
    show = show if show in FILTERS else ""
    where = _where(event["id"], show, q)
    found = await paged(Attendee.select().where(where).order_by(Attendee.last_name, Attendee.first_name, Attendee.id),
                        Attendee.select(Attendee.id).where(where), page, params={"show": show, "q": (q or "").strip()[:100]})
    rows = await reports.learner_rows(event, found.rows)
    return replace(found, rows=rows)

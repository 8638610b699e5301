"""The coordinator's learner list at meeting size: one page of learners at a time.

Which learners, how many, and the filters (claimed / attended but not claimed / no attendance
yet) are SQL over the registrations, the attendance evidence and the claims; only the learners
on the page get their credit worked out by the rules (`learners.state`), with their evidence,
claims and evaluations read for the page in one query each. So the page costs the same at
20,000 registrations as at 200.

"Attended" here means attendance recorded for a session (a present scan inside the session's
window, roll call, staff correction or attestation; entry scans too where the event counts
them): a scan outside every window is worth nothing to credit (cme/rules.py in_window), so it
is not counted here either. Whether the attendance earns credit is the rules' answer (presence
share, corrections), shown per learner.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import timedelta

from piccolo.columns.combination import WhereRaw

from confops.cme import reports
from confops.cme import tallies as cme_tallies
from confops.cme.designation import activity_of
from confops.cme.evidence import early_minutes
from confops.cme.kinds import Evidence
from confops.core.paging import Page, paged
from confops.events.tables import Session
from confops.registration import tallies as people
from confops.registration.name_keys import search_pattern
from confops.registration.tables import Attendee, AttendeeStatus, OrderStatus

FILTERS = {"claimed": "Claimed", "attended": "Attended, not claimed", "not_yet": "No attendance yet"}

_CLAIMED = "EXISTS (SELECT 1 FROM cme_claim c WHERE c.attendee = registration_attendee.id)"


@dataclass(frozen=True)
class _Present:
    """The SQL of "attendance recorded" for one event, with its parameters: each session's scan
    window is written out (a few dozen sessions), the same bounds on both engines."""

    sql: str
    args: tuple

    def where(self, negate: bool = False) -> WhereRaw:
        return WhereRaw(("NOT " if negate else "") + self.sql, *self.args)


async def _present(event_id: int, activity: dict) -> _Present:
    """Attendance recorded for a session (or, where the event counts entry scans, at the entry);
    a scan counts only inside its session's window."""
    where_session = "" if activity["evidence"] == Evidence.entry_scans.value else " AND m.session IS NOT NULL"
    early = timedelta(minutes=early_minutes(activity))
    windows = await Session.select(Session.id, Session.starts_at, Session.ends_at).where(Session.event == event_id)
    inside = " OR ".join("(m.session = {} AND m.at >= {} AND m.at <= {})" for _ in windows) or "FALSE"
    args = [value for w in windows for value in (w["id"], w["starts_at"] - early, w["ends_at"])]
    return _Present(("EXISTS (SELECT 1 FROM attendance_mark m WHERE m.attendee = registration_attendee.id "
                     f"AND m.present = {{}}{where_session} AND (m.kind NOT IN ('in', 'out') OR {inside}))"),
                    (True, *args))


def _where(event_id: int, present: _Present | None, show: str, q: str):
    where = (Attendee.event == event_id) & (Attendee.status == AttendeeStatus.active.value)
    if show == "claimed":
        where &= WhereRaw(_CLAIMED)
    elif show == "attended":  # whom a reminder to claim is for: settled registrations, as `counts`
        where &= (WhereRaw(f"NOT {_CLAIMED}") & present.where()
                  & (Attendee.order.status == OrderStatus.confirmed.value))
    elif show == "not_yet":
        where &= WhereRaw(f"NOT {_CLAIMED}") & present.where(negate=True)
    q = (q or "").strip()[:100]
    if q:  # part of a name, e-mail or institution, without regard to case or accents
        where &= WhereRaw("registration_attendee.search_text LIKE {}", search_pattern(q))
    return where


async def counts(event: dict) -> dict[str, int]:
    """Confirmed learners (paid, free or complimentary: the only ones who can claim credit,
    cme/learners.py standings, and the dashboard's "confirmed"), those held for unpaid orders,
    the confirmed ones with attendance recorded, and those who claimed. The registrations and
    the claims from the running tallies the database keeps (registration/tallies.py,
    cme/tallies.py), which cost the same whatever the event's size; attendance is counted over
    the marks, since its scan windows move with the sessions' times and the activity's
    settings."""
    present = await _present(event["id"], await activity_of(event))
    confirmed = ((Attendee.event == event["id"]) & (Attendee.status == AttendeeStatus.active.value)
                 & (Attendee.order.status == OrderStatus.confirmed.value))
    claimed = (await cme_tallies.sums(event["id"])).get(("claimed", ""), (0, 0))[0]
    by_state: Counter = Counter()
    for (state, *_), n in (await people.counts(event["id"])).items():
        by_state[state] += n
    return {"registered": by_state["confirmed"], "held": by_state["held"],
            "attended": await Attendee.count().where(confirmed & present.where()), "claimed": claimed}


async def learner_page(event: dict, *, page: int = 1, show: str = "", q: str = "") -> Page:
    """One page of the event's learners by last name, each with its `reports.learner_rows` row
    (name, sessions attended, eligible credit of the usual type, claim, evaluation, standing)."""
    show = show if show in FILTERS else ""
    present = await _present(event["id"], await activity_of(event)) if show in ("attended", "not_yet") else None
    where = _where(event["id"], present, show, q)
    found = await paged(Attendee.select().where(where).order_by(Attendee.last_name, Attendee.first_name, Attendee.id),
                        Attendee.select(Attendee.id).where(where), page, params={"show": show, "q": (q or "").strip()[:100]})
    rows = await reports.learner_rows(event, found.rows)
    return replace(found, rows=rows)

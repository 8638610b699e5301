"""An event's CME claims counted as they change, so the CME overview, the learner list and
the dashboard's CME panel do not go over every claim on each view. `CmeTally` rows per event,
kind and key:

- claimed: active learners with a claim (one claim per learner);
- credit <type>: claims and their quarters per credit type;
- credentials <text>: claims per learner's credentials (physicians or others, for PARS);
- session <id>|<type>: claims per session each claim's credit came from.

The database keeps them (core/triggers.py) in the same transaction as every insert, update or
delete of a claim, and every change of an attendee's status or credentials, whatever code
writes it; on PostgreSQL a claim's trigger reads its learner under a share lock, so it counts
after a concurrent change of their status commits. Attendance is not tallied: whether a scan
counts depends on its session's window, which moves with the session's times and the
activity's settings (cme/learner_list.py counts it over the marks). The sums are appended as
differences, which the worker folds into one row per key each minute (jobs.fold_tallies), as
registration/tallies.py says; a read sums them, folded or not.
"""

from __future__ import annotations

from collections import Counter

from confops.cme.tables import CmeTally
from confops.core.triggers import Trigger, fold_tally
from confops.db import current_engine

_INSERT = "INSERT INTO cme_tally (event, kind, key, n, quarters) "
Key = tuple[str, str]  # kind, key


def _sessions(row: str, engine_type: str) -> str:
    """The claim's sessions as rows of one column `value` (text)."""
    if engine_type == "postgres":
        return f"json_array_elements_text(({row}.sessions)::json) AS j(value)"
    return f"json_each({row}.sessions) AS j"


def _claim(row: str, sign: str, engine_type: str) -> list[str]:
    """The claim `row` counted (1) or uncounted (-1), while its learner is active."""
    active = (f"FROM registration_attendee a WHERE a.id = {row}.attendee AND a.status = 'active'")
    return [
        _INSERT + f"SELECT {row}.event, 'claimed', '', {sign}, 0 {active}",
        _INSERT + f"SELECT {row}.event, 'credit', {row}.credit_type, {sign}, {sign} * {row}.quarters {active}",
        _INSERT + f"SELECT {row}.event, 'credentials', a.credentials, {sign}, 0 {active}",
        _INSERT + f"SELECT {row}.event, 'session', CAST(j.value AS TEXT) || '|' || {row}.credit_type, {sign}, 0 "
                  f"FROM registration_attendee a, {_sessions(row, engine_type)} "
                  f"WHERE a.id = {row}.attendee AND a.status = 'active'",
    ]


def _learner_claim(row: str, sign: str, engine_type: str) -> list[str]:
    """The attendee `row`'s claim counted (1) or uncounted (-1), if `row` is active."""
    claim = f"FROM cme_claim c WHERE c.attendee = {row}.id AND {row}.status = 'active'"
    return [
        _INSERT + f"SELECT c.event, 'claimed', '', {sign}, 0 {claim}",
        _INSERT + f"SELECT c.event, 'credit', c.credit_type, {sign}, {sign} * c.quarters {claim}",
        _INSERT + f"SELECT c.event, 'credentials', {row}.credentials, {sign}, 0 {claim}",
        _INSERT + f"SELECT c.event, 'session', CAST(j.value AS TEXT) || '|' || c.credit_type, {sign}, 0 "
                  f"FROM cme_claim c, {_sessions('c', engine_type)} WHERE c.attendee = {row}.id "
                  f"AND {row}.status = 'active'",
    ]


def triggers(engine_type: str) -> list[Trigger]:
    lock_claimant = "PERFORM 1 FROM registration_attendee WHERE id IN ({}) ORDER BY id FOR SHARE"
    changed = "OLD.status {ne} NEW.status OR OLD.credentials {ne} NEW.credentials OR OLD.event {ne} NEW.event"
    return [
        Trigger("cme_tally_claim_insert", "cme_claim", "INSERT", tuple(_claim("NEW", "1", engine_type)),
                locks=(lock_claimant.format("NEW.attendee"),)),
        Trigger("cme_tally_claim_delete", "cme_claim", "DELETE", tuple(_claim("OLD", "-1", engine_type)),
                locks=(lock_claimant.format("OLD.attendee"),)),
        Trigger("cme_tally_claim_update", "cme_claim", "UPDATE OF credit_type, quarters, sessions, attendee, event",
                (*_claim("OLD", "-1", engine_type), *_claim("NEW", "1", engine_type)),
                locks=(lock_claimant.format("OLD.attendee, NEW.attendee"),)),
        Trigger("cme_tally_learner", "registration_attendee", "UPDATE OF status, credentials, event",
                (*_learner_claim("OLD", "-1", engine_type), *_learner_claim("NEW", "1", engine_type)),
                when=f"(OLD.status = 'active' OR NEW.status = 'active') AND ({changed})"),
    ]


async def sums(event_id: int) -> dict[Key, tuple[int, int]]:
    """(n, quarters) per (kind, key) for the event: the sums of its rows, folded or not."""
    rows = await CmeTally.raw("SELECT kind, key, SUM(n) AS n, SUM(quarters) AS quarters "
                              "FROM cme_tally WHERE event = {} GROUP BY kind, key", event_id)
    return {(r["kind"], r["key"]): (int(r["n"]), int(r["quarters"])) for r in rows if r["n"] or r["quarters"]}


async def fold(event_id: int) -> None:
    await fold_tally(CmeTally, event_id, ("kind", "key"), ("n", "quarters"))


async def from_rows(event_id: int) -> dict[Key, tuple[int, int]]:
    """The same sums from the marks, claims and registrations themselves."""
    engine_type = current_engine().engine_type
    out: Counter = Counter()
    quarters: Counter = Counter()
    active = "JOIN registration_attendee a ON a.id = c.attendee WHERE c.event = {} AND a.status = 'active'"
    for r in await CmeTally.raw(f"SELECT c.credit_type, COUNT(*) AS n, SUM(c.quarters) AS q FROM cme_claim c {active} "
                                "GROUP BY c.credit_type", event_id):
        out[("credit", r["credit_type"])] += r["n"]
        quarters[("credit", r["credit_type"])] += int(r["q"] or 0)
        out[("claimed", "")] += r["n"]
    for r in await CmeTally.raw(f"SELECT a.credentials, COUNT(*) AS n FROM cme_claim c {active} "
                                "GROUP BY a.credentials", event_id):
        out[("credentials", r["credentials"])] += r["n"]
    for r in await CmeTally.raw(
            f"SELECT CAST(j.value AS TEXT) || '|' || c.credit_type AS k, COUNT(*) AS n "
            f"FROM cme_claim c JOIN registration_attendee a ON a.id = c.attendee, {_sessions('c', engine_type)} "
            "WHERE c.event = {} AND a.status = 'active' GROUP BY 1", event_id):
        out[("session", r["k"])] += r["n"]
    return {key: (out[key], quarters[key]) for key in set(out) | set(quarters) if out[key] or quarters[key]}


async def differences(event_id: int) -> list[tuple[str, int, int]]:
    kept, rows = await sums(event_id), await from_rows(event_id)
    return [(f"cme {kind} {key}".strip(), kept.get((kind, key), (0, 0))[i], rows.get((kind, key), (0, 0))[i])
            for kind, key in sorted(set(kept) | set(rows)) for i in (0, 1)
            if kept.get((kind, key), (0, 0))[i] != rows.get((kind, key), (0, 0))[i]]


async def rebuild(event_id: int) -> None:
    await CmeTally.delete().where(CmeTally.event == event_id)
    rows = [CmeTally(event=event_id, kind=kind, key=key, n=n, quarters=q)
            for (kind, key), (n, q) in (await from_rows(event_id)).items()]
    if rows:
        await CmeTally.insert(*rows)

"""Running the engine from the database, reviewing and adjusting a run, publishing it.

A run is stored whole (groups, members, leaders, its quality report). Staff adjust a draft; a
published run is never edited in place: adjusting it starts a draft copy. Every new run starts
from the published one (`previous`), so a late registration or a cancellation changes as few
assignments as possible. Locked groups are carried from the latest run into the next.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field

from confops.core import clock
from confops.core.errors import Conflict, Invalid, NotFound
from confops.db import transaction
from confops.groups import planning
from confops.groups.assign import assign
from confops.groups.kinds import RunStatus
from confops.groups.model import (
    Assignment,
    Bounds,
    Discipline,
    Experience,
    Group,
    Leader,
    LockedGroup,
    Participant,
    Pin,
    Problem,
    Report,
    Request,
    Track,
)
from confops.groups.quality import measure
from confops.groups.tables import AssignmentRun, GroupMember, GroupSeries, SmallGroup


@dataclass
class World:
    """The series as the engine sees it, plus what pages need to show people."""

    series: dict
    people: dict = field(default_factory=dict)  # key -> Participant
    leaders: dict = field(default_factory=dict)  # key -> Leader
    rows: dict = field(default_factory=dict)  # key -> participant or leader row
    pins: tuple = ()
    rooms: tuple = ()

    @property
    def bounds(self) -> Bounds:
        s = self.series
        return Bounds(s["min_size"], s["max_size"], s["ideal_size"])

    def name(self, key: str) -> str:
        row = self.rows.get(key)
        if row is None:
            return key
        return row["name"] if "name" in row else f"{row['first_name']} {row['last_name']}"


async def load_world(series_id: int) -> World:
    series = await GroupSeries.select().where(GroupSeries.id == series_id).first()
    if series is None:
        raise NotFound("This event has no small-group series yet.")
    world = World(series)
    parts = await planning.participants(series_id)
    pool = await planning.leaders(series_id, active_only=True)
    by_email = {}
    for x in pool:
        key = planning.leader_key(x["id"])
        by_email[x["email"]] = key
        world.leaders[key] = Leader(key, x["name"], Discipline(x["discipline"]), Experience(x["experience"]),
                                    x["institution"])
        world.rows[key] = x
    for p in parts:
        by_email.setdefault(p["email"], planning.attendee_key(p["attendee_id"]))
    for p in parts:
        key = planning.attendee_key(p["attendee_id"])
        sup = by_email.get(p["supervisor_email"]) if p["supervisor_email"] else None
        world.people[key] = Participant(key, f"{p['first_name']} {p['last_name']}", p["institution"],
                                        p["profession"], Track(p["track"]), sup if sup != key else None)
        world.rows[key] = p
    world.pins = tuple(Pin(p["person_a"], p["person_b"], p["together"]) for p in await planning.pins(series_id))
    world.rooms = tuple(await planning.rooms(series_id))
    return world


def _loaded(run: dict | None) -> dict | None:
    if run is not None and isinstance(run["report"], str):
        run["report"] = json.loads(run["report"] or "{}")
    return run


async def run_by_id(series_id: int, run_id: int) -> dict | None:
    return _loaded(await AssignmentRun.select().where(
        (AssignmentRun.id == run_id) & (AssignmentRun.series == series_id)).first())


async def run_of(series_id: int, status: RunStatus) -> dict | None:
    return _loaded(await AssignmentRun.select().where(
        (AssignmentRun.series == series_id) & (AssignmentRun.status == status.value)).order_by(
        AssignmentRun.id, ascending=False).first())


async def current_run(series_id: int) -> dict | None:
    """What staff review: the newest draft, else the published run."""
    return await run_of(series_id, RunStatus.draft) or await run_of(series_id, RunStatus.published)


async def groups_of(run_id: int) -> list[Group]:
    groups = await SmallGroup.select().where(SmallGroup.run == run_id).order_by(SmallGroup.number)
    members = await GroupMember.select().where(GroupMember.group.run == run_id).order_by(GroupMember.id)
    out = []
    for g in groups:
        ms = tuple(planning.attendee_key(m["attendee"]) for m in members if m["group"] == g["id"] and m["attendee"])
        ls = tuple(planning.leader_key(m["leader"]) for m in members if m["group"] == g["id"] and m["leader"])
        out.append(Group(g["number"], ms, ls, Track(g["track"]) if g["track"] else None, g["room"] or None,
                         g["locked"]))
    return out


def _report_dict(report: Report) -> dict:
    data = dataclasses.asdict(report)
    data["problems"] = [{"code": p.code, "message": p.message} for p in report.problems]
    for k in ("unused_leaders", "moved", "added", "removed"):
        data[k] = list(data[k])
    data["ok"] = report.ok
    return data


def _measured(world: World, groups: list[Group], previous: list[Group] | None) -> Report:
    """The report of groups edited by hand: figures measured afresh, problems in words."""
    present = [Group(g.number, tuple(m for m in g.members if m in world.people),
                     tuple(x for x in g.leaders if x in world.leaders), g.track, g.room, g.locked) for g in groups]
    fig = measure(present, world.people, world.leaders, world.pins, world.bounds)
    b = world.bounds
    problems = [Problem("bounds_not_met", f"Group {g.number} has {g.size} members, outside {b.min_size}–"
                        f"{b.max_size}.") for g in present if not b.min_size <= g.size <= b.max_size]
    if fig["groups_without_leader"]:
        problems.append(Problem("too_few_leaders", f"{fig['groups_without_leader']} group(s) have no leader."))
    if fig["pins_broken"]:
        problems.append(Problem("pin_not_kept", f"{fig['pins_broken']} pin(s) are not kept."))
    placed = {m for g in present for m in g.members}
    missing = [k for k in world.people if k not in placed]
    if missing:
        problems.append(Problem("unplaced", f"{len(missing)} participant(s) have no group yet: "
                                + ", ".join(world.name(k) for k in missing[:10]) + ". Run the assignment again."))
    moved: tuple = ()
    added: tuple = ()
    removed: tuple = ()
    if previous is not None:
        before = {m: g.number for g in previous for m in g.members}
        now = {m: g.number for g in present for m in g.members}
        moved = tuple(m for m in now if m in before and before[m] != now[m])
        added = tuple(m for m in now if m not in before)
        removed = tuple(m for m in before if m not in now)
    used = {x for g in present for x in g.leaders}
    return Report(**fig, institution_clashes_unavoidable=0, moved=moved, added=added, removed=removed,
                  unused_leaders=tuple(k for k in world.leaders if k not in used), problems=tuple(problems))


async def _previous(series_id: int) -> list[Group] | None:
    published = await run_of(series_id, RunStatus.published)
    return await groups_of(published["id"]) if published else None


def build_request(world: World, seed: int, previous: list[Group] | None, locked: list[Group]) -> Request:
    s = world.series
    locks = tuple(LockedGroup(g.number, tuple(m for m in g.members if m in world.people),
                              tuple(x for x in g.leaders if x in world.leaders), g.room) for g in locked)
    prev = None
    if previous:
        prev = Assignment(tuple(g for g in previous), _empty_report(), 0)
    return Request(tuple(world.people.values()), tuple(world.leaders.values()), bounds=world.bounds,
                   group_count=s["group_count"], rooms=world.rooms, pins=world.pins, locked=locks,
                   separate_tracks=s["separate_tracks"], previous=prev, seed=seed)


def _empty_report() -> Report:
    return Report(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)


async def _store(series_id: int, seed: int, groups, report: Report, actor: int | None,
                 status: RunStatus = RunStatus.draft) -> int:
    """Write a run with its groups; the caller holds the transaction."""
    await AssignmentRun.update({AssignmentRun.status: RunStatus.superseded.value}).where(
        (AssignmentRun.series == series_id) & (AssignmentRun.status == RunStatus.draft.value))
    run = AssignmentRun(series=series_id, seed=seed, status=status.value, report=_report_dict(report),
                        created_by=actor)
    await run.save()
    rows = []
    for g in groups:
        sg = SmallGroup(run=run.id, number=g.number, room=g.room or "", track=g.track.value if g.track else "",
                        locked=g.locked)
        await sg.save()
        rows += [GroupMember(group=sg.id, attendee=planning.parse_key(m)[1], leader=None) for m in g.members]
        rows += [GroupMember(group=sg.id, attendee=None, leader=planning.parse_key(x)[1]) for x in g.leaders]
    if rows:
        await GroupMember.insert(*rows)
    return run.id


async def assign_series(series_id: int, *, seed: int = 0, actor: int | None = None) -> tuple[int, Assignment]:
    """Run the engine on the series as it is now and store the result as the draft to review."""
    world = await load_world(series_id)
    previous = await _previous(series_id)
    current = await current_run(series_id)
    locked = [g for g in await groups_of(current["id"]) if g.locked] if current else []
    result = assign(build_request(world, seed, previous, locked))
    async with transaction():
        run_id = await _store(series_id, seed, result.groups, result.report, actor)
    return run_id, result


async def assign_event(slug: str, *, seed: int = 0, actor: int | None = None) -> tuple[int, Assignment, World]:
    from confops.events.tables import Event

    event = await Event.select(Event.id).where(Event.slug == slug).first()
    if event is None:
        raise NotFound(f"There is no event {slug!r}.")
    series = await planning.series_of(event["id"])
    if series is None:
        raise NotFound(f"{slug} has no small-group series; set it up first.")
    run_id, result = await assign_series(series["id"], seed=seed, actor=actor)
    return run_id, result, await load_world(series["id"])


async def _editable(series_id: int, run_id: int, actor: int | None) -> int:
    """The draft to edit: this run if it is a draft, else a fresh draft copy of the published run."""
    run = await run_by_id(series_id, run_id)
    if run is None:
        raise NotFound("There is no such assignment run.")
    if run["status"] == RunStatus.draft.value:
        return run_id
    if run["status"] != RunStatus.published.value:
        raise Conflict("This run was replaced by a newer one; review the newest.")
    copy = await _store(series_id, run["seed"], await groups_of(run_id), _empty_report(), actor)
    await _remeasure(series_id, copy)
    return copy


async def _remeasure(series_id: int, run_id: int) -> Report:
    world = await load_world(series_id)
    report = _measured(world, await groups_of(run_id), await _previous(series_id))
    await AssignmentRun.update({AssignmentRun.report: _report_dict(report)}).where(AssignmentRun.id == run_id)
    return report


async def move_person(series_id: int, run_id: int, person: str, to_number: int, actor: int | None = None) -> int:
    """Move a member (or a leader) to another group of the run; returns the draft's id."""
    kind, pid = planning.parse_key(person)
    async with transaction():
        run_id = await _editable(series_id, run_id, actor)
        target = await SmallGroup.select().where((SmallGroup.run == run_id) & (SmallGroup.number == to_number)).first()
        if target is None:
            raise Invalid(f"There is no group {to_number}.", field="group")
        col = GroupMember.attendee if kind == "a" else GroupMember.leader
        row = await GroupMember.select(GroupMember.id, GroupMember.group.number.as_alias("number"),
                                       GroupMember.group.locked.as_alias("locked")).where(
            (GroupMember.group.run == run_id) & (col == pid)).first()
        if target["locked"] or (row and row["locked"]):
            n = target["number"] if target["locked"] else row["number"]
            raise Conflict(f"Group {n} is locked; unlock it first.", field="group")
        if row is None:
            await GroupMember(group=target["id"], attendee=pid if kind == "a" else None,
                              leader=pid if kind == "l" else None).save()
        else:
            await GroupMember.update({GroupMember.group: target["id"]}).where(GroupMember.id == row["id"])
        await _remeasure(series_id, run_id)
    return run_id


async def set_locked(series_id: int, run_id: int, number: int, locked: bool, actor: int | None = None) -> int:
    async with transaction():
        run_id = await _editable(series_id, run_id, actor)
        done = await SmallGroup.update({SmallGroup.locked: locked}).where(
            (SmallGroup.run == run_id) & (SmallGroup.number == number)).returning(SmallGroup.id)
        if not done:
            raise Invalid(f"There is no group {number}.", field="group")
    return run_id


async def publish(series_id: int, run_id: int, *, actor: int | None, base_url: str, notify: bool = True) -> int:
    """Publish a draft: it replaces the published run; people whose group changed are told by e-mail.
    Returns how many e-mails were queued."""
    from confops.groups.notices import queue_assignment_notices

    async with transaction():
        run = await run_by_id(series_id, run_id)
        if run is None:
            raise NotFound("There is no such assignment run.")
        if run["status"] != RunStatus.draft.value:
            raise Conflict("Only a draft can be published; this one is " + run["status"] + ".")
        if run["report"].get("pins_broken"):
            raise Conflict("A pin is broken in this run; fix it before publishing.")
        previous = await _previous(series_id)
        await AssignmentRun.update({AssignmentRun.status: RunStatus.superseded.value}).where(
            (AssignmentRun.series == series_id) & (AssignmentRun.status == RunStatus.published.value))
        await AssignmentRun.update({AssignmentRun.status: RunStatus.published.value,
                                    AssignmentRun.published_at: clock.now(),
                                    AssignmentRun.published_by: actor}).where(AssignmentRun.id == run_id)
        if not notify:
            return 0
        return await queue_assignment_notices(series_id, run_id, previous or [], base_url)


def report_lines(report: dict, world: World) -> list[str]:
    """The quality report in words, for the CLI and the staff page."""
    r = report
    lines = [
        f"groups: {r['group_count']}, sizes {r['smallest']}–{r['largest']} (spread {r['size_spread']}), "
        f"out of bounds {r['groups_out_of_bounds']}",
        f"institution clashes: {r['institution_clashes']} (unavoidable {r['institution_clashes_unavoidable']}), "
        f"supervisor clashes: {r['supervisor_clashes']}",
        f"leader pairs unmixed: {r['unmixed_leader_pairs']}, trainee-only leadership: "
        f"{r['trainee_only_leadership']}, groups without leader: {r['groups_without_leader']}",
        f"pins broken: {r['pins_broken']}",
    ]
    if r.get("moved") or r.get("added") or r.get("removed"):
        lines.append(f"since the published assignment: moved {len(r['moved'])}, added {len(r['added'])}, "
                     f"removed {len(r['removed'])}")
    if r.get("problems"):
        lines.append("cannot all be met:")
        lines += [f"  - [{p['code']}] {p['message']}" for p in r["problems"]]
    else:
        lines.append("every constraint is met.")
    return lines


async def published_group_ids(series_id: int) -> dict[int, int]:
    """The published run's groups, number to id (the roster links on the staff page)."""
    live = await run_of(series_id, RunStatus.published)
    if not live:
        return {}
    return {g["number"]: g["id"] for g in await SmallGroup.select(SmallGroup.id, SmallGroup.number).where(
        SmallGroup.run == live["id"])}

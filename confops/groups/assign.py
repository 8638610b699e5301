"""Balint small-group assignment: the pure engine (no database, no HTTP).

Entry points (for the service, CLI and staff pages to call directly):

  assign(Request) -> Assignment
      Build a `confops.groups.model.Request` from registrants (Participant), the leader pool
      (Leader), the event's bounds, rooms or group count, staff pins and locked groups, and
      optionally the previous `Assignment`; get groups with leaders and members plus a
      `Report`. Deterministic for `Request.seed`. Never raises for unsatisfiable input: what
      cannot be met is listed in `report.problems` (codes: bounds_impossible, too_few_leaders,
      trainees_leading_alone, too_few_rooms, infeasible_pin, unknown_id, duplicate_id,
      locked_conflict, locked_out_of_bounds, bounds_not_met, pin_not_kept).

  sessions_roster(assignment, sessions) -> list[SessionRoster]
      An assignment is per small-group series, not per session: the same people meet in the
      same group in every group session of the meeting (the society's rule). This expands it
      to one roster per (session, group) for attendance sheets and scans.

Ids must be unique across participants and leaders (use attendee ids for both).

How: choose the number of groups (event's count or rooms, else the ideal size, capped by the
leaders available, never beyond the bounds), form leader teams (`leaders.py`), turn pins into
units (`pins.py`), place units greedily (hardest first, sizes kept within one of each other),
then improve by moves and swaps under the weighted cost documented in `search.py`.

Stability: given `previous`, everyone still on the roster starts in their previous group and
leaves it only when a group is out of bounds (the move cost outweighs every soft wish);
newcomers go where they fit best; groups are added or dissolved only when the count can no
longer hold everyone within the bounds (so `group_count` is not re-applied). Leaders stay with
their groups; a group that lost its leader gets a spare one, else the second leader of a
co-led group.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from confops.groups.leaders import best_partner, form_teams
from confops.groups.model import (
    Assignment,
    Group,
    Leader,
    Problem,
    Report,
    Request,
    Track,
)
from confops.groups.pins import units_and_apart
from confops.groups.quality import measure, unavoidable_institution_clashes
from confops.groups.search import Search, Slot


@dataclass(frozen=True)
class SessionRoster:
    session: object
    group: Group


def sessions_roster(assignment: Assignment, sessions: Sequence) -> list[SessionRoster]:
    """The same group meets in every session of the series: one roster per session and group."""
    return [SessionRoster(s, g) for s in sessions for g in assignment.groups]


def _dedupe(items, problems: list[Problem], what: str, taken: set) -> list:
    out = []
    for x in items:
        if x.id in taken:
            problems.append(Problem("duplicate_id", f"{what} id {x.id} appears twice; "
                                    "the second entry was ignored."))
            continue
        taken.add(x.id)
        out.append(x)
    return out


def _pool_of(unit: tuple, people: dict, separate: bool):
    if not separate:
        return None
    tracks = Counter(people[p].track for p in unit)
    return max(tracks, key=lambda t: (tracks[t], t is Track.leadership))


def _auto_counts(sizes: dict, req: Request, leaders_n: int, seniors_n: int, rooms_n: int | None,
                 problems: list[Problem]) -> dict:
    b = req.bounds
    lo, hi, k = {}, {}, {}
    for pool, n in sizes.items():
        lo[pool] = max(1, math.ceil(n / b.max_size))
        hi[pool] = n // b.min_size
        if lo[pool] > hi[pool]:
            what = f"{n} {pool.value + ' ' if pool else ''}participants"
            problems.append(Problem("bounds_impossible", f"{what} cannot be split into groups of "
                                    f"{b.min_size}–{b.max_size}; {lo[pool]} group(s) are used."))
            hi[pool] = lo[pool]
    if req.group_count is not None:
        want = max(0, req.group_count - len(req.locked))
        total = sum(sizes.values()) or 1
        for pool, n in sizes.items():
            k[pool] = max(1, round(want * n / total))
        while sum(k.values()) > want and any(v > 1 for v in k.values()):
            pool = max(k, key=lambda p: (k[p] - lo[p], k[p]))
            k[pool] -= 1
        while k and sum(k.values()) < want:  # no free participants: no groups to add
            pool = max(k, key=lambda p: (hi[p] - k[p], -k[p]))
            k[pool] += 1
        for pool, n in sizes.items():
            if not k[pool] * b.min_size <= n <= k[pool] * b.max_size:
                problems.append(Problem("bounds_impossible", f"{n} participants cannot fill "
                                        f"{k[pool]} group(s) of {b.min_size}–{b.max_size}."))
        return k
    for pool, n in sizes.items():
        k[pool] = min(max(round(n / b.ideal_size), lo[pool]), hi[pool])
    limits = [x for x in (rooms_n, leaders_n or None, seniors_n or None) if x is not None]
    for limit in limits:  # fewer, larger groups when rooms or leaders are short (not below lo)
        while sum(k.values()) > limit:
            pool = max(k, key=lambda p: k[p] - lo[p])
            if k[pool] <= lo[pool]:
                break
            k[pool] -= 1
    return k


def assign(req: Request) -> Assignment:
    problems: list[Problem] = []
    rng = random.Random(req.seed)
    b = req.bounds
    if not 1 <= b.min_size <= b.max_size:
        problems.append(Problem("bounds_impossible", f"Group bounds {b.min_size}–{b.max_size} "
                                "are not a range; 6–10 is used."))
        b = type(b)()
        req = replace(req, bounds=b)
    taken: set = set()
    participants = _dedupe(req.participants, problems, "Participant", taken)
    leaders_all = _dedupe(req.leaders, problems, "Leader", taken)
    people = {p.id: p for p in participants}
    leader_by = {x.id: x for x in leaders_all}
    names = {**{p.id: p.name for p in participants}, **{x.id: x.name or x.id for x in leaders_all}}

    locked_of, locked_groups = _locked_groups(req, people, leader_by, names, problems)
    free_people = [p for p in participants if p.id not in locked_of]
    free_leaders = [x for x in leaders_all if x.id not in locked_of]

    units, apart_pairs, pin_problems = units_and_apart(
        [p.id for p in free_people], [x.id for x in free_leaders], locked_of, req.pins,
        b.max_size, names)
    problems += pin_problems
    unit_pool = [_pool_of(u, people, req.separate_tracks) for u in units]
    sizes: dict = {}
    for u, pool in zip(units, unit_pool, strict=True):
        sizes[pool] = sizes.get(pool, 0) + len(u)

    used_numbers = {g.number for g in locked_groups}
    used_rooms = {g.room for g in locked_groups if g.room}
    free_rooms = [r for r in req.rooms if r not in used_rooms]

    if req.previous is not None:
        slots_meta, slot_leaders, prev_of, spare = _stable_slots(
            req, sizes, people, leader_by, free_leaders, locked_of, used_numbers, problems)
    else:
        seniors = sum(1 for x in free_leaders if x.senior)
        counts = _auto_counts(sizes, req, len(free_leaders), seniors,
                              len(free_rooms) if req.rooms else None, problems)
        teams, spare = form_teams(free_leaders, sum(counts.values()), rng)
        slots_meta, slot_leaders = _fresh_slots(counts, teams, used_numbers)
        prev_of = {}

    metas = _with_rooms(req, slots_meta, len(locked_groups), used_rooms, problems)

    # index everyone for the search
    index: dict = {}
    for pid in [p.id for p in free_people] + [x.id for x in free_leaders]:
        index[pid] = len(index)
    n_all = len(index)
    inst: list = [None] * n_all
    prof: list = [""] * n_all
    related: list = [set() for _ in range(n_all)]
    apart: list = [set() for _ in range(n_all)]
    for p in free_people:
        i = index[p.id]
        inst[i], prof[i] = p.institution or None, p.profession
        if p.supervisor_id in index and p.supervisor_id != p.id:
            j = index[p.supervisor_id]
            related[i].add(j)
            related[j].add(i)
    for x in free_leaders:
        inst[index[x.id]] = x.institution or None
    for a, c in apart_pairs:
        apart[index[a]].add(index[c])
        apart[index[c]].add(index[a])
    related = [frozenset(s) for s in related]
    apart = [frozenset(s) for s in apart]

    slot_counts = Counter(pool for _, pool, _ in metas)
    slots = [Slot(pool=pool, leaders=tuple(index[x] for x in slot_leaders[i]),
                  target=sizes.get(pool, 0) / max(1, slot_counts[pool]))
             for i, (_, pool, _) in enumerate(metas)]
    fair = {}
    for pool in slot_counts:
        counts = Counter(people[p].profession for u, up in zip(units, unit_pool, strict=True)
                         if up == pool for p in u)
        fair[pool] = {pr: c / slot_counts[pool] for pr, c in counts.items()}
    iunits = [tuple(index[p] for p in u) for u in units]
    search = Search(inst=inst, prof=prof, related=related, apart=apart, slots=slots,
                    units=iunits, unit_pool=unit_pool, fair=fair, min_size=b.min_size,
                    max_size=b.max_size, prev={index[p]: s for p, s in prev_of.items()}, rng=rng)
    if slots:
        inst_freq = Counter(inst[i] for u in iunits for i in u if inst[i])
        keys = {u: (-len(iunits[u]), -max(inst_freq.get(inst[i], 0) for i in iunits[u]),
                    -sum(len(related[i]) + len(apart[i]) for i in iunits[u]), rng.random())
                for u in range(len(iunits))}
        placed = []
        if prev_of:
            for u, ps in enumerate(iunits):
                homes = Counter(search.prev[i] for i in ps if i in search.prev)
                if homes:
                    search.place(u, homes.most_common(1)[0][0])
                    placed.append(u)
        rest = sorted(set(range(len(iunits))) - set(placed), key=keys.__getitem__)
        search.greedy(rest, even=not prev_of)
        search.improve()
    elif free_people:
        problems.append(Problem("bounds_impossible", "No group can be formed for "
                                f"{len(free_people)} participants (no group or room available)."))

    rev = {i: pid for pid, i in index.items()}
    order = {p.id: n for n, p in enumerate(participants)}
    groups = list(locked_groups)
    for (number, pool, room), s in zip(metas, slots, strict=True):
        members = sorted((rev[i] for i in s.members), key=order.__getitem__)
        groups.append(Group(number, tuple(members), tuple(rev[i] for i in s.leaders),
                            pool if req.separate_tracks else None, room, False))
    groups.sort(key=lambda g: g.number)
    unused = tuple(x.id for x in spare)
    return Assignment(tuple(groups), _report(req, groups, people, leader_by, units, unit_pool,
                                             slot_counts, unused, problems,
                                             search.total() if slots else 0.0), req.seed)


def _locked_groups(req: Request, people: dict, leader_by: dict, names: dict,
                   problems: list[Problem]) -> tuple[dict, list[Group]]:
    """Locked groups stay as staff fixed them, and their people leave the pool; who each
    person is locked with (by group number), and the groups."""
    locked_of: dict = {}
    locked_groups: list[Group] = []
    for lg in req.locked:
        members, leads = [], []
        for x in (*lg.member_ids, *lg.leader_ids):
            if x not in people and x not in leader_by:
                problems.append(Problem("unknown_id", f"Locked group {lg.number} names {x}, who is "
                                        "not on the roster; left out."))
            elif x in locked_of:
                problems.append(Problem("locked_conflict", f"{names[x]} is in locked groups "
                                        f"{locked_of[x]} and {lg.number}; kept in {locked_of[x]}."))
            else:
                locked_of[x] = lg.number
                (members if x in people else leads).append(x)
        track = None
        if req.separate_tracks and members:
            track = _pool_of(tuple(members), people, True)
        locked_groups.append(Group(lg.number, tuple(members), tuple(leads), track, lg.room, True))
    return locked_of, locked_groups


def _fresh_slots(counts: dict, teams: list, used_numbers: set) -> tuple[list, list]:
    """Numbered slots for a first assignment, pool by pool, each with a leader team if one is
    left; numbers that locked groups hold are skipped."""
    slots_meta, slot_leaders = [], []
    number = 0
    for pool in sorted(counts, key=lambda p: (p is not None, str(p))):
        for _ in range(counts[pool]):
            number += 1
            while number in used_numbers:
                number += 1
            slots_meta.append((number, pool, None))
            team = teams.pop() if teams else ()
            slot_leaders.append([x.id for x in team])
    return slots_meta, slot_leaders


def _with_rooms(req: Request, slots_meta: list, n_locked: int, used_rooms: set,
                problems: list[Problem]) -> list:
    """Slots keep their previous rooms; the other rooms are handed out in order."""
    taken_rooms = used_rooms | {room for _, _, room in slots_meta if room}
    room_queue = [r for r in req.rooms if r not in taken_rooms]
    metas = []
    for number, pool, room in slots_meta:
        if room is None and room_queue:
            room = room_queue.pop(0)
        metas.append((number, pool, room))
    if req.rooms and len(metas) + n_locked > len(req.rooms):
        problems.append(Problem("too_few_rooms", f"{len(metas) + n_locked} groups are "
                                f"needed but only {len(req.rooms)} rooms are available."))
    return metas


def _report(req, groups, people, leader_by, units, unit_pool, slot_counts, unused, problems,
            cost) -> Report:
    fig = measure(groups, people, leader_by, req.pins, req.bounds)
    problems = list(problems)
    pools: dict = {}
    for u, pool in zip(units, unit_pool, strict=True):
        pools.setdefault(pool, ([], slot_counts.get(pool, 0)))[0].extend(people[p] for p in u)
    unavoidable = unavoidable_institution_clashes(pools)
    if fig["groups_without_leader"]:
        problems.append(Problem("too_few_leaders", f"{fig['groups_without_leader']} group(s) have "
                                "no leader: not enough leaders for the number of groups."))
    if fig["trainee_only_leadership"]:
        problems.append(Problem("trainees_leading_alone", f"{fig['trainee_only_leadership']} "
                                "group(s) are led by trainees only: not enough credentialed or "
                                "faculty leaders to pair with every trainee."))
    for g in groups:
        if g.locked and not req.bounds.min_size <= g.size <= req.bounds.max_size:
            problems.append(Problem("locked_out_of_bounds", f"Locked group {g.number} has "
                                    f"{g.size} members, outside {req.bounds.min_size}–"
                                    f"{req.bounds.max_size}; it is kept as locked."))
    sized = {"bounds_impossible", "infeasible_pin", "locked_out_of_bounds"}
    if fig["groups_out_of_bounds"] and not any(p.code in sized for p in problems):
        problems.append(Problem("bounds_not_met", f"{fig['groups_out_of_bounds']} group(s) are "
                                f"outside {req.bounds.min_size}–{req.bounds.max_size}: the pins "
                                "together leave no split within the bounds."))
    flagged = sum(1 for p in problems if p.code == "infeasible_pin")
    if fig["pins_broken"] > flagged:
        problems.append(Problem("pin_not_kept", f"{fig['pins_broken'] - flagged} pin(s) apart could "
                                "not be kept with this number of groups."))
    moved: tuple = ()
    added: tuple = ()
    removed: tuple = ()
    if req.previous is not None:
        before = {m: g.number for g in req.previous.groups for m in g.members}
        now = {m: g.number for g in groups for m in g.members}
        moved = tuple(m for m in now if m in before and before[m] != now[m])
        added = tuple(m for m in now if m not in before)
        removed = tuple(m for m in before if m not in now)
    return Report(**fig, institution_clashes_unavoidable=unavoidable, unused_leaders=unused,
                  moved=moved, added=added, removed=removed, problems=tuple(problems),
                  cost=round(cost, 3))


def _stable_slots(req: Request, sizes: dict, people: dict, leader_by: dict,
                  free_leaders: list[Leader], locked_of: dict, used_numbers: set,
                  problems: list[Problem]):
    """Slots from the previous assignment, with as few changes as the new roster allows."""
    b = req.bounds
    free_leader_ids = {x.id for x in free_leaders}
    slots = []  # [number, pool, room, leader ids, retained member ids]
    for g in req.previous.groups:
        if g.number in used_numbers or g.locked and any(m in locked_of for m in g.members):
            continue
        members = [m for m in g.members if m in people and m not in locked_of]
        pool = None
        if req.separate_tracks:
            pool = g.track or _pool_of(tuple(members), people, True) if members else g.track
            members = [m for m in members if people[m].track == pool]
        leads = [x for x in g.leaders if x in free_leader_ids]
        slots.append([g.number, pool, g.room, leads, members])
    # add or dissolve groups only when the bounds cannot hold everyone
    for pool, n in sizes.items():
        mine = [s for s in slots if s[1] == pool]
        need_more = math.ceil(n / b.max_size) - len(mine)
        next_no = max([s[0] for s in slots] + list(used_numbers) + [0])
        for _ in range(max(0, need_more)):
            next_no += 1
            slots.append([next_no, pool, None, [], []])
            mine.append(slots[-1])
        while len(mine) > 1 and n < len(mine) * b.min_size:
            smallest = min(mine, key=lambda s: (len(s[4]), -s[0]))
            mine.remove(smallest)
            slots.remove(smallest)
    for s in [s for s in slots if s[1] not in sizes]:
        slots.remove(s)  # a track with nobody left
    for pool, n in sizes.items():
        k = sum(1 for s in slots if s[1] == pool)
        if not k * b.min_size <= n <= k * b.max_size:
            problems.append(Problem("bounds_impossible", f"{n} participants cannot fill {k} "
                                    f"group(s) of {b.min_size}–{b.max_size}."))
    placed_leaders = {x for s in slots for x in s[3]}
    spare = [x for x in free_leaders if x.id not in placed_leaders]
    for s in sorted(slots, key=lambda s: len(s[3])):
        team = [leader_by[x] for x in s[3]]
        if not team or (len(team) == 1 and not team[0].senior):
            cands = [x for x in spare if team or x.senior] or spare
            pick = best_partner(team, cands)
            if pick is not None:
                s[3].append(pick.id)
                spare.remove(pick)
    for s in slots:  # still leaderless: borrow the second leader of a co-led group
        if not s[3]:
            donors = [d for d in slots if len(d[3]) == 2]
            if donors:
                donor = max(donors, key=lambda d: (sum(leader_by[x].senior for x in d[3]), -d[0]))
                give = max(donor[3], key=lambda x: (leader_by[x].senior, str(x)))
                donor[3].remove(give)
                s[3].append(give)
    slots.sort(key=lambda s: s[0])
    prev_of = {}
    for i, s in enumerate(slots):
        for m in s[4]:
            prev_of[m] = i
    metas = [(s[0], s[1], s[2]) for s in slots]
    return metas, [s[3] for s in slots], prev_of, spare

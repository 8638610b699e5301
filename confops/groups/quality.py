"""Quality figures of an assignment, measured from the finished groups alone.

Measured independently of the search's own bookkeeping so the report can be trusted (and
re-run on an assignment staff edited by hand).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from confops.groups.model import Bounds, Discipline, Group, Leader, Participant, Pin

_MIXED = {Discipline.physician, Discipline.behavioural_health}


def measure(groups: Sequence[Group], people: Mapping, leaders: Mapping[object, Leader],
            pins: Sequence[Pin], bounds: Bounds) -> dict:
    where: dict = {}
    for g in groups:
        for x in (*g.members, *g.leaders):
            where[x] = g.number
    sizes = [g.size for g in groups] or [0]
    inst_clashes = sup_clashes = unmixed = trainee_only = leaderless = 0
    for g in groups:
        insts = Counter()
        for m in g.members:
            if people[m].institution:
                insts[people[m].institution] += 1
        for lid in g.leaders:
            if lid in leaders and leaders[lid].institution:
                insts[leaders[lid].institution] += 1
        inst_clashes += sum(c - 1 for c in insts.values() if c > 1)
        present = set(g.members) | set(g.leaders)
        for m in g.members:
            sup = people[m].supervisor_id
            if sup is not None and sup in present:
                sup_clashes += 1
        team = [leaders[x] for x in g.leaders if x in leaders]
        if not team:
            leaderless += 1
        elif not any(x.senior for x in team):
            trainee_only += 1
        if len(team) == 2 and {team[0].discipline, team[1].discipline} != _MIXED:
            unmixed += 1
    broken = 0
    for pin in pins:
        ga, gb = where.get(pin.a), where.get(pin.b)
        if ga is None or gb is None or pin.a == pin.b:
            continue
        if (ga == gb) != pin.together:
            broken += 1
    return {
        "group_count": len(groups),
        "smallest": min(sizes),
        "largest": max(sizes),
        "size_spread": max(sizes) - min(sizes),
        "groups_out_of_bounds": sum(1 for g in groups
                                    if not bounds.min_size <= g.size <= bounds.max_size),
        "institution_clashes": inst_clashes,
        "supervisor_clashes": sup_clashes,
        "unmixed_leader_pairs": unmixed,
        "trainee_only_leadership": trainee_only,
        "groups_without_leader": leaderless,
        "pins_broken": broken,
    }


def unavoidable_institution_clashes(pools: Mapping[object, tuple[Sequence[Participant], int]]) -> int:
    """Lower bound: an institution with more people than its pool has groups must repeat."""
    total = 0
    for members, k in pools.values():
        counts = Counter(p.institution for p in members if p.institution)
        total += sum(max(0, c - max(k, 1)) for c in counts.values())
    return total

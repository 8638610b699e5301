"""Staff pins turned into what the search can honour by construction.

People pinned together (directly or through a chain) become one unit that always moves as
one; pins apart become a hard cost. Pins that contradict each other, a lock or the size bounds
cannot all be honoured: each becomes a `Problem` naming the people, instead of an exception.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from confops.groups.model import Pin, Problem


def _find(parent: dict, x):
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def units_and_apart(
    free_ids: Sequence,
    leader_ids: Iterable,
    locked_of: dict,
    pins: Sequence[Pin],
    max_size: int,
    names: dict,
) -> tuple[list[tuple], list[tuple], list[Problem]]:
    """Return (units of free participant ids, apart pairs among free people/leaders, problems)."""
    free = set(free_ids)
    leaders = set(leader_ids)
    known = free | leaders | set(locked_of)
    parent = {p: p for p in free_ids}
    problems: list[Problem] = []
    apart: list[tuple] = []

    def name(x) -> str:
        return str(names.get(x, x))

    for pin in pins:
        missing = [x for x in (pin.a, pin.b) if x not in known]
        if missing:
            problems.append(Problem("unknown_id", f"Pin {pin.a}–{pin.b} names someone not on the "
                                    f"roster ({', '.join(map(str, missing))}); it was ignored."))
            continue
        if pin.a == pin.b:
            continue
        la, lb = locked_of.get(pin.a), locked_of.get(pin.b)
        if pin.together:
            if pin.a in leaders or pin.b in leaders:
                problems.append(Problem("infeasible_pin", f"{name(pin.a)} and {name(pin.b)}: a "
                                        "leader can only be pinned apart from someone, not together."))
            elif la is not None or lb is not None:
                if la != lb:
                    problems.append(Problem("infeasible_pin", f"{name(pin.a)} and {name(pin.b)} are "
                                            "pinned together but a locked group holds only one of them."))
            else:
                ra, rb = _find(parent, pin.a), _find(parent, pin.b)
                if ra != rb:
                    parent[rb] = ra
        else:
            if la is not None and la == lb:
                problems.append(Problem("infeasible_pin", f"{name(pin.a)} and {name(pin.b)} are "
                                        f"pinned apart but both are in locked group {la}."))
            elif (pin.a in free or pin.a in leaders) and (pin.b in free or pin.b in leaders):
                apart.append((pin.a, pin.b))
    clusters: dict = {}
    for p in free_ids:
        clusters.setdefault(_find(parent, p), []).append(p)
    units = [tuple(c) for c in clusters.values()]
    root = {p: _find(parent, p) for p in free_ids}
    kept = []
    for a, b in apart:
        if a in root and b in root and root[a] == root[b]:
            problems.append(Problem("infeasible_pin", f"{name(a)} and {name(b)} are pinned apart "
                                    "but also (through other pins) together; they stay together."))
        else:
            kept.append((a, b))
    for u in units:
        if len(u) > max_size:
            problems.append(Problem("infeasible_pin", f"{len(u)} people are pinned together "
                                    f"({', '.join(name(x) for x in u)}), more than a group of at "
                                    f"most {max_size}; they stay together in one large group."))
    return units, kept, problems

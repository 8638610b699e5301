"""Who leads which group: one or two leaders, mixed disciplines, trainees never alone.

At ABS intensives a group is co-led by a physician and a behavioural-health specialist, and a
leader in training co-leads with a credentialed or faculty leader. Teams are formed before
members are placed so that members can then be kept away from their own leaders' institution
and from their supervisors.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from confops.groups.model import Discipline, Leader

_MIXED = {Discipline.physician, Discipline.behavioural_health}


def pair_score(a: Leader, b: Leader) -> float:
    """Higher is better: a senior in the pair first, then mixed disciplines, then a trainee learning."""
    score = 0.0
    if a.senior or b.senior:
        score += 20
    if {a.discipline, b.discipline} == _MIXED:
        score += 10
    if not (a.senior and b.senior):
        score += 3  # a trainee co-leading is how trainees learn
    return score


def form_teams(leaders: Sequence[Leader], k: int, rng: random.Random) -> tuple[list[tuple[Leader, ...]], list[Leader]]:
    """`k` teams (or fewer when leaders are short) of one or two leaders, and the unused leaders.

    As many groups as the pool allows get two leaders. Greedy over the six kinds of leader
    (discipline x senior/trainee), keeping enough seniors back so every team can have one.
    """
    pool = sorted(leaders, key=lambda x: str(x.id))
    rng.shuffle(pool)
    if k <= 0:
        return [], list(pool)
    teams_n = min(k, len(pool))
    pairs_n = max(0, min(teams_n, len(pool) - teams_n))
    singles_n = teams_n - pairs_n
    kinds: dict[tuple[Discipline, bool], list[Leader]] = {}
    for lead in pool:
        kinds.setdefault((lead.discipline, lead.senior), []).append(lead)
    seniors = sum(1 for x in pool if x.senior)

    teams: list[tuple[Leader, ...]] = []
    for step in range(pairs_n):
        needed_after = (pairs_n - step - 1) + singles_n  # one senior per remaining team
        best, best_score = None, None
        keys = [key for key, v in kinds.items() if v]
        for i, ka in enumerate(keys):
            for kb in keys[i:]:
                if ka == kb and len(kinds[ka]) < 2:
                    continue
                a, b = kinds[ka][-1], kinds[kb][-1] if ka != kb else kinds[kb][-2]
                used = int(a.senior) + int(b.senior)
                score = pair_score(a, b)
                short = needed_after - (seniors - used)
                if short > 0:
                    score -= 15 * short  # would leave a later team without a senior
                score += 0.01 * (len(kinds[ka]) + len(kinds[kb]))  # use plentiful kinds first
                if best_score is None or score > best_score:
                    best, best_score = (ka, kb), score
        assert best is not None
        a = kinds[best[0]].pop()
        b = kinds[best[1]].pop()
        seniors -= int(a.senior) + int(b.senior)
        teams.append((a, b))
    rest = [x for v in kinds.values() for x in v]
    rest.sort(key=lambda x: (not x.senior, str(x.id)))  # singles: seniors first
    for lead in rest[:singles_n]:
        teams.append((lead,))
    unused = rest[singles_n:]
    rng.shuffle(teams)
    return teams, unused


def best_partner(current: Sequence[Leader], candidates: Sequence[Leader]) -> Leader | None:
    """For a group that has one leader (or none), the spare leader who completes it best."""
    if not candidates:
        return None
    if not current:
        return max(candidates, key=lambda c: (c.senior, str(c.id)))
    only = current[0]
    return max(candidates, key=lambda c: (pair_score(only, c), str(c.id)))

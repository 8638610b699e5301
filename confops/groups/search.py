"""Placement of members into groups whose leaders are already chosen: greedy, then local search.

Everything is measured by one weighted cost; a move or swap is taken only when it lowers it.
The weights (why each is the size it is):

  W_APART       10000  per pin-apart pair sharing a group: a hard rule, never traded away
  W_BOUNDS       1000  per person above the maximum or below the minimum size: nearly hard
  W_MOVE          200  per person not in their previous group (stable mode only): a changed
                       roster must not reshuffle people who already know their group, so only
                       a bounds violation (1000) is worth moving someone
  W_EVEN           20  x (size - even share)^2: groups as even as possible (a 9/8 split costs
                       nothing more than 8/9, a 10/7 split costs 80 more than 9/8)
  W_INSTITUTION    10  per extra person (member or leader) of one institution in a group:
                       colleagues speak less freely about cases in front of each other
  W_SUPERVISOR      8  per supervisor/supervisee pair in one group (same reason, softer: the
                       society says "where possible")
  W_PROFESSION      1  x (count of a profession - its fair share)^2 per group: a mix of
                       professions is good but the least important wish

Persons are small ints here (the caller maps ids); pins together are "units" that always move
as one, so together-pins are never broken by construction.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

W_APART = 10000.0
W_BOUNDS = 1000.0
W_MOVE = 200.0
W_EVEN = 20.0
W_INSTITUTION = 10.0
W_SUPERVISOR = 8.0
W_PROFESSION = 1.0


@dataclass
class Slot:
    """A group being filled: leaders are fixed, members change."""

    pool: object  # the track (or None): units only move between slots of their pool
    leaders: tuple[int, ...] = ()
    members: set[int] = field(default_factory=set)
    present: set[int] = field(default_factory=set)  # members + leaders
    ic: dict[str, int] = field(default_factory=dict)  # institution counts (members + leaders)
    pc: dict[str, int] = field(default_factory=dict)  # profession counts (members)
    target: float = 8.0

    @property
    def size(self) -> int:
        return len(self.members)


class Search:
    def __init__(self, *, inst, prof, related, apart, slots, units, unit_pool, fair,
                 min_size, max_size, prev=None, rng: random.Random):
        self.inst = inst  # person -> institution or None
        self.prof = prof  # person -> profession
        self.related = related  # person -> frozenset of supervisor/supervisee persons
        self.apart = apart  # person -> frozenset of pinned-apart persons
        self.slots: list[Slot] = slots
        self.units: list[tuple[int, ...]] = units
        self.unit_pool = unit_pool
        self.fair = fair  # pool -> {profession: fair count per group}
        self.lo, self.hi = min_size, max_size
        self.prev = prev or {}  # person -> slot index in the previous assignment
        self.rng = rng
        self.where: dict[int, int] = {}
        self.unit_index = {p: u for u, ps in enumerate(units) for p in ps}
        self.pool_slots: dict[object, list[int]] = {}
        for i, s in enumerate(slots):
            self.pool_slots.setdefault(s.pool, []).append(i)
            for p in s.leaders:
                self._enter(p, s, member=False)

    # -- bookkeeping ---------------------------------------------------------------------------
    def _enter(self, p: int, s: Slot, member: bool = True) -> None:
        s.present.add(p)
        x = self.inst[p]
        if x:
            s.ic[x] = s.ic.get(x, 0) + 1
        if member:
            s.members.add(p)
            pr = self.prof[p]
            s.pc[pr] = s.pc.get(pr, 0) + 1

    def _leave(self, p: int, s: Slot) -> None:
        s.present.discard(p)
        s.members.discard(p)
        x = self.inst[p]
        if x:
            s.ic[x] -= 1
        pr = self.prof[p]
        s.pc[pr] -= 1

    def place(self, unit: int, si: int) -> None:
        for p in self.units[unit]:
            self._enter(p, self.slots[si])
            self.where[p] = si

    def unplace(self, unit: int) -> None:
        for p in self.units[unit]:
            self._leave(p, self.slots[self.where.pop(p)])

    # -- cost ------------------------------------------------------------------------------------
    def size_cost(self, s: Slot, n: int) -> float:
        out = (self.lo - n if n < self.lo else 0) + (n - self.hi if n > self.hi else 0)
        return W_EVEN * (n - s.target) ** 2 + W_BOUNDS * out

    def _move_term(self, p: int, si: int) -> float:
        prev = self.prev.get(p)
        return W_MOVE if prev is not None and prev != si else 0.0

    def add_delta(self, p: int, si: int, sized: bool = True) -> float:
        """Cost change of adding person p (not yet in slot si) to it."""
        s = self.slots[si]
        d = self.size_cost(s, s.size + 1) - self.size_cost(s, s.size) if sized else 0.0
        x = self.inst[p]
        if x and s.ic.get(x, 0) >= 1:
            d += W_INSTITUTION
        if self.related[p]:
            d += W_SUPERVISOR * len(self.related[p] & s.present)
        if self.apart[p]:
            d += W_APART * len(self.apart[p] & s.present)
        f = self.fair[s.pool].get(self.prof[p], 0.0)
        d += W_PROFESSION * (2 * (s.pc.get(self.prof[p], 0) - f) + 1)
        return d + self._move_term(p, si)

    def remove_delta(self, p: int, si: int) -> float:
        s = self.slots[si]
        d = self.size_cost(s, s.size - 1) - self.size_cost(s, s.size)
        x = self.inst[p]
        if x and s.ic.get(x, 0) >= 2:
            d -= W_INSTITUTION
        if self.related[p]:
            d -= W_SUPERVISOR * len(self.related[p] & s.present)
        if self.apart[p]:
            d -= W_APART * len(self.apart[p] & s.present)
        f = self.fair[s.pool].get(self.prof[p], 0.0)
        d += W_PROFESSION * (-2 * (s.pc.get(self.prof[p], 0) - f) + 1)
        return d - self._move_term(p, si)

    def unit_move_delta(self, u: int, to: int) -> float:
        ps = self.units[u]
        frm = self.where[ps[0]]
        if len(ps) == 1:
            return self.remove_delta(ps[0], frm) + self.add_delta(ps[0], to)
        before = self.total_of((frm, to))
        self.unplace(u)
        self.place(u, to)
        after = self.total_of((frm, to))
        self.unplace(u)
        self.place(u, frm)
        return after - before

    def total_of(self, slot_indexes) -> float:
        """Full cost of some slots (used for multi-person units and for the final figure)."""
        total = 0.0
        for si in slot_indexes:
            s = self.slots[si]
            total += self.size_cost(s, s.size)
            total += W_INSTITUTION * sum(c - 1 for c in s.ic.values() if c > 1)
            f = self.fair[s.pool]
            total += W_PROFESSION * sum((c - f.get(pr, 0.0)) ** 2 for pr, c in s.pc.items())
            for p in s.members:  # a pair of two members is seen twice, member-leader once
                for r in self.related[p] & s.present:
                    total += W_SUPERVISOR * (0.5 if r in s.members else 1.0)
                for r in self.apart[p] & s.present:
                    total += W_APART * (0.5 if r in s.members else 1.0)
                total += self._move_term(p, si)
        return total

    def total(self) -> float:
        return self.total_of(range(len(self.slots)))

    # -- construction ----------------------------------------------------------------------------
    def greedy(self, order: list[int], *, even: bool) -> None:
        """Place units in `order`; `even` keeps sizes within one of each other per pool."""
        caps: dict[object, tuple[int, int, list[int]]] = {}
        if even:
            for pool, sis in self.pool_slots.items():
                n = sum(len(self.units[u]) for u in range(len(self.units)) if self.unit_pool[u] == pool)
                n += sum(self.slots[i].size for i in sis)
                base, extra = divmod(n, len(sis))
                caps[pool] = (base, extra, [0])
        for u in order:
            ps = self.units[u]
            pool = self.unit_pool[u]
            sis = self.pool_slots[pool]
            start = self.rng.randrange(len(sis))
            best, best_d = None, None
            for j in range(len(sis)):
                si = sis[(start + j) % len(sis)]
                s = self.slots[si]
                n = s.size + len(ps)
                if even:
                    base, extra, at_top = caps[pool]
                    if n > base + 1 or (n == base + 1 and at_top[0] >= extra):
                        continue
                elif n > self.hi:
                    continue
                d = sum(self.add_delta(p, si, sized=not even) for p in ps)
                d += 0.001 * s.size  # ties: the smaller group
                if best_d is None or d < best_d:
                    best, best_d = si, d
            if best is None:  # nothing fits the rule: smallest group of the pool
                best = min(sis, key=lambda i: (self.slots[i].size, i))
            if even:
                base, extra, at_top = caps[pool]
                if self.slots[best].size + len(ps) == base + 1:
                    at_top[0] += 1
            self.place(u, best)

    # -- local search ----------------------------------------------------------------------------
    def improve(self, passes: int = 6) -> None:
        movable = list(range(len(self.units)))
        for _ in range(passes):
            self.rng.shuffle(movable)
            changed = False
            for u in movable:
                if self._try_move(u) or (len(self.units[u]) == 1 and self._try_swap(self.units[u][0])):
                    changed = True
            if not changed:
                break

    def _try_move(self, u: int) -> bool:
        frm = self.where[self.units[u][0]]
        best, best_d = None, -1e-9
        for si in self.pool_slots[self.unit_pool[u]]:
            if si == frm:
                continue
            d = self.unit_move_delta(u, si)
            if d < best_d:
                best, best_d = si, d
        if best is None:
            return False
        self.unplace(u)
        self.place(u, best)
        return True

    def _troubled(self, p: int, si: int) -> bool:
        s = self.slots[si]
        x = self.inst[p]
        if x and s.ic.get(x, 0) > 1:
            return True
        if self.related[p] & s.present or self.apart[p] & s.present:
            return True
        return s.pc.get(self.prof[p], 0) > self.fair[s.pool].get(self.prof[p], 0.0) + 1

    def _try_swap(self, p: int) -> bool:
        a = self.where[p]
        if not self._troubled(p, a):
            return False
        sa = self.slots[a]
        sis = [si for si in self.pool_slots[sa.pool] if si != a]
        # the few groups p would fit best in, then every single member there
        sis.sort(key=lambda si: self.add_delta(p, si, sized=False))
        for b in sis[:4]:
            best_q, best_d = None, -1e-9
            for q in self.slots[b].members:
                if len(self.units[self._unit_of(q)]) != 1:
                    continue
                d = self._swap_delta(p, a, q, b)
                if d < best_d:
                    best_q, best_d = q, d
            if best_q is not None:
                uq = self._unit_of(best_q)
                up = self._unit_of(p)
                self.unplace(up)
                self.unplace(uq)
                self.place(up, b)
                self.place(uq, a)
                return True
        return False

    def _unit_of(self, p: int) -> int:
        return self.unit_index[p]

    def _swap_delta(self, p: int, a: int, q: int, b: int) -> float:
        sa, sb = self.slots[a], self.slots[b]
        d = 0.0
        xp, xq = self.inst[p], self.inst[q]
        if xp != xq:
            if xp and sa.ic.get(xp, 0) >= 2:
                d -= W_INSTITUTION
            if xq and sb.ic.get(xq, 0) >= 2:
                d -= W_INSTITUTION
            if xp and sb.ic.get(xp, 0) >= 1:
                d += W_INSTITUTION
            if xq and sa.ic.get(xq, 0) >= 1:
                d += W_INSTITUTION
        rp, rq = self.related[p] | self.apart[p], self.related[q] | self.apart[q]
        if rp or rq:
            d += self._pair_cost(p, sb.present - {q}) - self._pair_cost(p, sa.present)
            d += self._pair_cost(q, sa.present - {p}) - self._pair_cost(q, sb.present)
        pp, pq = self.prof[p], self.prof[q]
        if pp != pq:
            fa, fb = self.fair[sa.pool], self.fair[sb.pool]
            d += W_PROFESSION * (-2 * (sa.pc.get(pp, 0) - fa.get(pp, 0.0)) + 1)
            d += W_PROFESSION * (2 * (sa.pc.get(pq, 0) - fa.get(pq, 0.0)) + 1)
            d += W_PROFESSION * (-2 * (sb.pc.get(pq, 0) - fb.get(pq, 0.0)) + 1)
            d += W_PROFESSION * (2 * (sb.pc.get(pp, 0) - fb.get(pp, 0.0)) + 1)
        d += self._move_term(p, b) - self._move_term(p, a)
        d += self._move_term(q, a) - self._move_term(q, b)
        return d

    def _pair_cost(self, p: int, present: set[int]) -> float:
        return (W_SUPERVISOR * len(self.related[p] & present)
                + W_APART * len(self.apart[p] & present))

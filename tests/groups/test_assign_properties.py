"""Property tests of the Balint group engine: what staff rely on, for any roster."""

import math
from collections import Counter

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from confops.groups.assign import assign
from confops.groups.model import (
    Bounds,
    Discipline,
    Experience,
    Leader,
    LockedGroup,
    Participant,
    Pin,
    Request,
    Track,
)

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
PROFESSIONS = ["family medicine", "psychiatry", "nursing", "social work", "psychology"]


@st.composite
def rosters(draw, min_n=6, max_n=70, institutions=8, supervisors=True):
    n = draw(st.integers(min_n, max_n))
    people = []
    for i in range(n):
        sup = draw(st.one_of(st.none(), st.integers(0, n - 1))) if supervisors else None
        people.append(Participant(
            i, f"P{i}", draw(st.sampled_from([""] + [f"Inst{j}" for j in range(institutions)])),
            draw(st.sampled_from(PROFESSIONS)), draw(st.sampled_from(list(Track))),
            sup if sup != i else None))
    return tuple(people)


@st.composite
def leader_pools(draw, n_min=0, n_max=20):
    k = draw(st.integers(n_min, n_max))
    return tuple(Leader(1000 + i, f"L{i}", draw(st.sampled_from(list(Discipline))),
                        draw(st.sampled_from(list(Experience))),
                        draw(st.sampled_from(["", "Inst0", "Inst1", f"LeaderInst{i}"])))
                 for i in range(k))


def placed(a):
    return Counter(m for g in a.groups for m in g.members)


def feasible(n, b=Bounds()):
    return math.ceil(n / b.max_size) <= n // b.min_size


@SETTINGS
@given(people=rosters(), seed=st.integers(0, 2**16), separate=st.booleans())
def test_everyone_placed_once_and_sizes_within_bounds_when_feasible(people, seed, separate):
    leaders = tuple(Leader(1000 + i, discipline=Discipline.physician) for i in range(len(people)))
    a = assign(Request(people, leaders, seed=seed, separate_tracks=separate))
    assert placed(a) == Counter(p.id for p in people)
    pools = Counter(p.track for p in people) if separate else {None: len(people)}
    if all(feasible(n) for n in pools.values()):
        assert all(6 <= g.size <= 10 for g in a.groups)
        assert a.report.groups_out_of_bounds == 0
        if not separate:
            assert a.report.size_spread <= 1  # as even as possible
    else:
        assert any(p.code == "bounds_impossible" for p in a.report.problems)
    if separate:
        assert all(people[m].track == g.track for g in a.groups for m in g.members)


@SETTINGS
@given(people=rosters(), leaders=leader_pools(), seed=st.integers(0, 2**16))
def test_every_group_has_a_leader_when_there_are_enough(people, leaders, seed):
    a = assign(Request(people, leaders, seed=seed))
    used = [x for g in a.groups for x in g.leaders]
    assert len(used) == len(set(used))  # nobody leads two groups
    assert all(1 <= len(g.leaders) <= 2 for g in a.groups if g.leaders)
    assert set(used) | set(a.report.unused_leaders) == {x.id for x in leaders}
    if len(leaders) >= len(a.groups):
        assert all(g.leaders for g in a.groups)
        assert a.report.groups_without_leader == 0
    else:
        assert any(p.code == "too_few_leaders" for p in a.report.problems)
    seniors = sum(1 for x in leaders if x.senior)
    if seniors >= len(a.groups):
        assert a.report.trainee_only_leadership == 0


@SETTINGS
@given(n_groups=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_co_leaders_mix_physician_and_behavioural_health_when_the_pool_allows(n_groups, seed):
    people = tuple(Participant(i, f"P{i}") for i in range(8 * n_groups))
    leaders = tuple(Leader(1000 + i, discipline=Discipline.physician) for i in range(n_groups)) + tuple(
        Leader(2000 + i, discipline=Discipline.behavioural_health,
               experience=Experience.trainee) for i in range(n_groups))
    a = assign(Request(people, leaders, seed=seed))
    assert a.report.unmixed_leader_pairs == 0 and a.report.trainee_only_leadership == 0
    assert all(len(g.leaders) == 2 for g in a.groups)


@st.composite
def pinned(draw):
    people = draw(rosters(min_n=12, max_n=60))
    n = len(people)
    together = [Pin(i, i + 1, True) for i in range(0, n - 1, 2) if draw(st.booleans())]
    in_pair = {x for p in together for x in (p.a, p.b)}
    singles = [i for i in range(n) if i not in in_pair]
    order = draw(st.permutations(singles))
    apart = [Pin(order[i], order[i + 1], False) for i in range(0, len(order) - 1, 2)
             if draw(st.booleans())]
    return people, tuple(together + apart)


@SETTINGS
@given(case=pinned(), seed=st.integers(0, 2**16))
def test_pins_are_never_broken(case, seed):
    people, pins = case
    a = assign(Request(people, seed=seed, pins=pins))
    group = {m: g.number for g in a.groups for m in g.members}
    for pin in pins:
        if pin.together:
            assert group[pin.a] == group[pin.b]
    if len(a.groups) >= 2:
        assert a.report.pins_broken == 0
        assert all(group[p.a] != group[p.b] for p in pins if not p.together)
    else:  # one group cannot keep anyone apart: said so, not hidden
        assert a.report.pins_broken == sum(1 for p in pins if not p.together)
        assert a.report.pins_broken == 0 or any(
            p.code == "pin_not_kept" for p in a.report.problems)


@SETTINGS
@given(people=rosters(min_n=20), leaders=leader_pools(2, 10), data=st.data())
def test_locked_groups_stay_exactly_as_locked(people, leaders, data):
    size = data.draw(st.integers(6, 10))
    members = tuple(data.draw(st.lists(st.sampled_from([p.id for p in people]), min_size=size,
                                       max_size=size, unique=True)))
    lock = LockedGroup(7, members, (leaders[0].id,), "Cedar")
    a = assign(Request(people, leaders, locked=(lock,), seed=data.draw(st.integers(0, 99)),
                       rooms=("Hall", "Cedar", "Spruce", "Pine", "Oak", "Elm", "Ash", "Fir")))
    g7 = [g for g in a.groups if g.number == 7]
    assert len(g7) == 1 and g7[0].locked
    assert set(g7[0].members) == set(members) and g7[0].leaders == (leaders[0].id,)
    assert g7[0].room == "Cedar"
    others = [g for g in a.groups if g.number != 7]
    assert not {m for g in others for m in (*g.members, *g.leaders)} & {*members, leaders[0].id}
    assert "Cedar" not in {g.room for g in others}
    assert placed(a) == Counter(p.id for p in people)


@st.composite
def spreadable(draw):
    """Rosters where no institution has more people than there are groups: zero clashes exist."""
    k = draw(st.integers(2, 8))
    n = draw(st.integers(6 * k, 10 * k))
    sizes = []
    left = n
    while left:
        c = min(left, draw(st.integers(1, k)))
        sizes.append(c)
        left -= c
    people = []
    for inst, c in enumerate(sizes):
        for _ in range(c):
            i = len(people)
            people.append(Participant(i, f"P{i}", f"Inst{inst}",
                                      draw(st.sampled_from(PROFESSIONS))))
    order = draw(st.permutations(range(n)))
    return tuple(people[i] for i in order), k


@SETTINGS
@given(case=spreadable(), seed=st.integers(0, 2**16))
def test_no_institution_clash_when_none_is_needed(case, seed):
    people, k = case
    leaders = tuple(Leader(1000 + i, institution=f"Elsewhere{i}") for i in range(2 * k))
    a = assign(Request(people, leaders, group_count=k, seed=seed))
    assert len(a.groups) == k
    assert a.report.institution_clashes_unavoidable == 0
    assert a.report.institution_clashes == 0


@SETTINGS
@given(people=rosters(), leaders=leader_pools(), seed=st.integers(0, 2**16), pins=st.data())
def test_same_seed_same_result(people, leaders, seed, pins):
    ids = [p.id for p in people]
    pin_list = tuple(Pin(pins.draw(st.sampled_from(ids)), pins.draw(st.sampled_from(ids)),
                         pins.draw(st.booleans())) for _ in range(pins.draw(st.integers(0, 4))))
    req = Request(people, leaders, seed=seed, pins=pin_list, separate_tracks=True)
    assert assign(req) == assign(req)


@SETTINGS
@given(people=rosters(min_n=12), leaders=leader_pools(4, 14), seed=st.integers(0, 2**16),
       data=st.data())
def test_a_cancellation_moves_at_most_a_few_people(people, leaders, seed, data):
    first = assign(Request(people, leaders, seed=seed))
    gone = data.draw(st.sampled_from([p.id for p in people]))
    rest = tuple(p for p in people if p.id != gone)
    assume(len(rest) >= 6 * len(first.groups))  # the same groups can still hold everyone
    again = assign(Request(rest, leaders, seed=seed + 1, previous=first))
    assert again.report.removed == (gone,)
    assert len(again.report.moved) <= 2
    assert {g.number for g in again.groups} == {g.number for g in first.groups}
    assert all(6 <= g.size <= 10 for g in again.groups) or not feasible(len(rest))
    leads_before = {g.number: g.leaders for g in first.groups}
    assert all(g.leaders == leads_before[g.number] for g in again.groups)


@SETTINGS
@given(people=rosters(min_n=12), leaders=leader_pools(4, 14), seed=st.integers(0, 2**16))
def test_a_late_registration_moves_nobody_when_there_is_room(people, leaders, seed):
    first = assign(Request(people, leaders, seed=seed))
    assume(len(people) + 1 <= 10 * len(first.groups))
    late = Participant(999, "Late", "Inst0", "nursing")
    again = assign(Request((*people, late), leaders, seed=seed, previous=first))
    assert again.report.added == (999,) and again.report.moved == ()
    assert again.group_of(999) is not None


@SETTINGS
@given(people=rosters(max_n=40), leaders=leader_pools(), data=st.data())
def test_any_input_gives_a_report_not_an_exception(people, leaders, data):
    ids = [p.id for p in people] + [x.id for x in leaders] + [5000]  # 5000: nobody
    pins = tuple(Pin(data.draw(st.sampled_from(ids)), data.draw(st.sampled_from(ids)),
                     data.draw(st.booleans())) for _ in range(data.draw(st.integers(0, 30))))
    locked = tuple(LockedGroup(n, tuple(data.draw(st.lists(st.sampled_from(ids), max_size=12))))
                   for n in range(data.draw(st.integers(0, 2))))
    lo = data.draw(st.integers(1, 12))
    req = Request(people, leaders, bounds=Bounds(lo, data.draw(st.integers(lo - 1, 12))),
                  group_count=data.draw(st.one_of(st.none(), st.integers(0, 12))),
                  rooms=tuple(f"R{i}" for i in range(data.draw(st.integers(0, 5)))),
                  pins=pins, locked=locked, seed=data.draw(st.integers(0, 9)),
                  separate_tracks=data.draw(st.booleans()))
    a = assign(req)
    r = a.report
    assert placed(a) == Counter(p.id for p in people)  # nobody lost, nobody twice
    if r.pins_broken:
        assert any(p.code in {"infeasible_pin", "pin_not_kept"} for p in r.problems)
    if r.groups_out_of_bounds:
        assert r.problems
    if r.groups_without_leader:
        assert any(p.code == "too_few_leaders" for p in r.problems)
    assert all(p.message for p in r.problems)

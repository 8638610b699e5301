"""Concrete cases of the group engine: what staff see for typical and impossible inputs."""

from collections import Counter

from confops.groups.assign import assign, sessions_roster
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


def people(n, **kw):
    return tuple(Participant(i, f"P{i}", **kw) for i in range(n))


def leaders(n, start=1000, **kw):
    return tuple(Leader(start + i, f"L{i}", **kw) for i in range(n))


def codes(a):
    return {p.code for p in a.report.problems}


def test_professions_are_spread_evenly():
    roster = tuple(Participant(i, f"P{i}", profession="nursing" if i < 8 else "family medicine")
                   for i in range(32))
    a = assign(Request(roster, leaders(4), group_count=4, seed=5))
    assert [sum(1 for m in g.members if m < 8) for g in a.groups] == [2, 2, 2, 2]


def test_supervisor_and_trainee_meet_in_different_groups():
    boss = Leader(1000, "Dr Boss", Discipline.physician)
    roster = tuple(Participant(i, f"P{i}", supervisor_id=1000 if i < 3 else (0 if i < 6 else None))
                   for i in range(24))
    a = assign(Request(roster, (boss, *leaders(2, start=2000)), group_count=3, seed=1))
    assert a.report.supervisor_clashes == 0
    assert all(not (set(g.members) & {0, 1, 2}) for g in a.groups if 1000 in g.leaders)
    g0 = a.group_of(0)
    assert not set(g0.members) & {3, 4, 5}


def test_leader_is_not_given_colleagues_from_their_own_institution():
    roster = tuple(Participant(i, f"P{i}", institution="Mercy" if i == 0 else f"I{i}") for i in range(16))
    for seed in range(10):
        a = assign(Request(roster, (Leader(1000, institution="Mercy"), Leader(1001)),
                           group_count=2, seed=seed))
        assert a.report.institution_clashes == 0
        assert 0 not in a.group_of(1000).members


def test_tracks_separate_into_leadership_and_experience_groups():
    roster = tuple(Participant(i, f"P{i}", track=Track.leadership if i < 8 else Track.experience)
                   for i in range(24))
    a = assign(Request(roster, leaders(3), separate_tracks=True))
    tracks = Counter(g.track for g in a.groups)
    assert tracks == {Track.leadership: 1, Track.experience: 2}
    lead_group = next(g for g in a.groups if g.track is Track.leadership)
    assert set(lead_group.members) == set(range(8))


def test_rooms_are_given_in_order_and_cap_the_group_count():
    a = assign(Request(people(40), leaders(8), rooms=("Hall", "Cedar", "Spruce", "Pine")))
    assert [g.room for g in a.groups] == ["Hall", "Cedar", "Spruce", "Pine"]
    assert all(g.size == 10 for g in a.groups)


def test_too_few_leaders_is_reported_not_hidden():
    a = assign(Request(people(30), leaders(2), group_count=4))
    assert "too_few_leaders" in codes(a)
    assert a.report.groups_without_leader == 2


def test_trainees_alone_are_reported():
    a = assign(Request(people(16), leaders(2, experience=Experience.trainee), group_count=2, seed=1))
    assert a.report.trainee_only_leadership == 2 and "trainees_leading_alone" in codes(a)


def test_impossible_bounds_are_reported():
    a = assign(Request(people(11), leaders(2)))  # 11 people cannot make groups of 6-10
    assert "bounds_impossible" in codes(a)
    assert sorted(g.size for g in a.groups) == [5, 6]
    b = assign(Request(people(30), leaders(3), group_count=2, seed=1))
    assert "bounds_impossible" in codes(b) and "30 participants cannot fill 2" in b.report.problems[0].message


def test_contradicting_pins_are_named():
    pins = (Pin(0, 1, True), Pin(1, 2, True), Pin(0, 2, False))
    a = assign(Request(people(16), leaders(2), pins=pins))
    msg = next(p.message for p in a.report.problems if p.code == "infeasible_pin")
    assert "P0 and P2 are pinned apart but also" in msg
    assert a.report.pins_broken == 1  # the apart pin, as reported
    assert a.group_of(0) == a.group_of(1) == a.group_of(2)


def test_pins_to_unknown_people_and_oversized_clusters():
    pins = tuple(Pin(i, i + 1, True) for i in range(11)) + (Pin(3, 777, False),)
    a = assign(Request(people(24), leaders(3), pins=pins))
    assert {"unknown_id", "infeasible_pin"} <= codes(a)
    assert len({a.group_of(i).number for i in range(12)}) == 1


def test_locked_group_pin_conflicts_are_reported_and_the_lock_wins():
    lock = LockedGroup(1, tuple(range(6)), (1000,))
    a = assign(Request(people(20), leaders(3), locked=(lock,), pins=(Pin(0, 10, True), Pin(1, 2, False))))
    assert a.groups[0].members == tuple(range(6))
    assert {p.code for p in a.report.problems} >= {"infeasible_pin"}
    assert len([p for p in a.report.problems if p.code == "infeasible_pin"]) == 2


def test_same_person_in_two_locked_groups():
    locks = (LockedGroup(1, (0, 1, 2, 3, 4, 5)), LockedGroup(2, (5, 6, 7, 8, 9, 10)))
    a = assign(Request(people(20), leaders(3), locked=locks))
    assert "locked_conflict" in codes(a)
    assert Counter(m for g in a.groups for m in g.members)[5] == 1


def test_nonsense_bounds_fall_back_to_the_default():
    a = assign(Request(people(16), leaders(2), bounds=Bounds(9, 4)))
    assert "bounds_impossible" in codes(a) and all(6 <= g.size <= 10 for g in a.groups)


def test_no_participants_no_groups():
    a = assign(Request((), leaders(2)))
    assert a.groups == () and a.report.unused_leaders == (1000, 1001)


def test_a_cancelled_leader_is_replaced_from_the_spare_pool():
    pool = leaders(4, discipline=Discipline.physician)
    first = assign(Request(people(16), pool, group_count=2, seed=2))
    assert all(len(g.leaders) == 2 for g in first.groups)
    extra = Leader(2000, "Spare", Discipline.behavioural_health)
    gone = first.groups[0].leaders
    again = assign(Request(people(16), (*[x for x in pool if x.id not in gone], extra),
                           previous=first, seed=2))
    assert again.report.moved == ()
    assert again.groups[0].leaders == (2000,)
    assert again.groups[1].leaders == first.groups[1].leaders


def test_cancellations_below_the_minimum_dissolve_one_group_only():
    first = assign(Request(people(18), leaders(3), group_count=3, seed=4))
    assert [g.size for g in first.groups] == [6, 6, 6]
    gone = first.groups[1].members[0]
    again = assign(Request(tuple(p for p in people(18) if p.id != gone), leaders(3),
                           previous=first, seed=4))
    assert len(again.groups) == 2 and all(6 <= g.size <= 10 for g in again.groups)
    assert len(again.report.moved) == 5  # the dissolved group's other members, nobody else
    kept = {g.number for g in again.groups}
    for g in first.groups:
        if g.number in kept:
            assert set(g.members) <= set(next(h for h in again.groups if h.number == g.number).members)


def test_growth_beyond_the_groups_adds_a_group():
    first = assign(Request(people(20), leaders(3), group_count=2, seed=1))
    more = people(21)
    again = assign(Request(more, leaders(3), previous=first, seed=1))
    assert len(again.groups) == 3 and all(6 <= g.size <= 10 for g in again.groups)
    assert again.report.added == (20,)


def test_the_same_group_meets_in_every_session():
    a = assign(Request(people(24), leaders(3)))
    rosters = sessions_roster(a, ["Thu", "Fri am", "Fri pm"])
    assert len(rosters) == 9
    by_group = {}
    for r in rosters:
        by_group.setdefault(r.group.number, set()).add(r.group.members)
    assert all(len(v) == 1 for v in by_group.values())


def test_everyone_locked_with_more_groups_asked_for_keeps_the_locked_group():
    """Found by the property test: staff lock all six people into one group and ask for two."""
    a = assign(Request(people(6), leaders(1), locked=(LockedGroup(1, tuple(range(6))),), group_count=2))
    assert [g.members for g in a.groups] == [tuple(range(6))]

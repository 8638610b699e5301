"""More engine properties from issue 8: institution clashes at their unavoidable minimum on
constructed cases, supervisors kept from their trainees where possible, and pins that hold
through a cancellation and a late registration (stable mode)."""

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from confops.groups.assign import assign
from confops.groups.model import Leader, Participant, Pin, Request

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(k=st.integers(2, 6), extra=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_institution_clashes_are_the_unavoidable_minimum(k, extra, seed):
    big = k + extra  # one institution with more people than there are groups
    n = 8 * k
    people = tuple(Participant(i, f"P{i}", "Big Hospital" if i < big else f"Clinic {i}") for i in range(n))
    leaders = tuple(Leader(1000 + i, institution=f"Elsewhere {i}") for i in range(k))
    a = assign(Request(people, leaders, group_count=k, seed=seed))
    assert a.report.institution_clashes_unavoidable == extra
    assert a.report.institution_clashes == extra


@SETTINGS
@given(k=st.integers(2, 6), pairs=st.integers(1, 6), seed=st.integers(0, 2**16))
def test_supervisors_and_their_trainees_meet_apart_when_possible(k, pairs, seed):
    n = 8 * k
    people = [Participant(i, f"P{i}", f"Clinic {i}") for i in range(n)]
    for j in range(min(pairs, n // 2)):  # person 2j supervises person 2j + 1
        people[2 * j + 1] = Participant(2 * j + 1, f"P{2 * j + 1}", f"Clinic {2 * j + 1}", supervisor_id=2 * j)
    a = assign(Request(tuple(people), tuple(Leader(1000 + i) for i in range(k)), group_count=k, seed=seed))
    assert a.report.supervisor_clashes == 0


@SETTINGS
@given(n=st.integers(24, 60), seed=st.integers(0, 2**16), data=st.data())
def test_pins_hold_through_a_cancellation_and_a_late_registration(n, seed, data):
    people = tuple(Participant(i, f"P{i}", f"Inst{i % 7}") for i in range(n))
    leaders = tuple(Leader(1000 + i) for i in range(8))
    pins = (Pin(0, 1, True), Pin(2, 3, False), Pin(4, 5, False))
    first = assign(Request(people, leaders, pins=pins, seed=seed))
    assume(len(first.groups) >= 2)
    gone = data.draw(st.integers(6, n - 1))
    rest = tuple(p for p in people if p.id != gone)
    assume(len(rest) >= 6 * len(first.groups))
    second = assign(Request(rest, leaders, pins=pins, seed=seed, previous=first))
    late = assign(Request((*rest, Participant(999, "Late", "Inst0")), leaders, pins=pins, seed=seed,
                          previous=second))
    for a in (second, late):
        assert a.report.pins_broken == 0
        home = {m: g.number for g in a.groups for m in g.members}
        assert home[0] == home[1] and home[2] != home[3] and home[4] != home[5]
    assert len(second.report.moved) <= 2 and late.report.moved == ()

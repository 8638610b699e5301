"""The pure CME rules, with hypothesis where a property says more than examples."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from confops.cme.credit_types import is_md_or_do, types_for
from confops.cme.presence import pair_scans, presence_share
from confops.cme.rules import (
    SessionCredit,
    claim_problems,
    designation_problem,
    eligible_quarters,
    format_credit,
    parse_credit,
)
from confops.cme.serials import new_serial, normalize

T0 = datetime(2027, 5, 6, 9, 0, tzinfo=UTC)


def _s(i: int, quarters: int, group: str = "", minutes: int = 90, types=()) -> SessionCredit:
    start = T0 + timedelta(hours=2 * i)
    return SessionCredit(i, quarters, start, start + timedelta(minutes=minutes), group, frozenset(types))


sessions_st = st.lists(st.tuples(st.integers(0, 8), st.sampled_from(["", "a", "b"])), min_size=0, max_size=12).map(
    lambda xs: [_s(i, q, g) for i, (q, g) in enumerate(xs)])


@given(sessions_st, st.sets(st.integers(0, 11)), st.sets(st.integers(0, 11)), st.integers(0, 100))
def test_eligible_never_exceeds_attended_designation_or_maximum(sessions, attended, presented, maximum):
    got = eligible_quarters(sessions, attended, presented, maximum)
    assert 0 <= got <= maximum
    assert got <= sum(s.quarters for s in sessions if s.id in attended and s.id not in presented)
    # own talks never add credit
    assert eligible_quarters(sessions, attended | presented, presented, maximum) == got


def _at(i: int, start_min: int, minutes: int, quarters: int, group: str = "") -> SessionCredit:
    return SessionCredit(i, quarters, T0 + timedelta(minutes=start_min),
                         T0 + timedelta(minutes=start_min + minutes), group)


timed_st = st.lists(st.tuples(st.integers(0, 600), st.integers(15, 120), st.integers(0, 8),
                              st.sampled_from(["", "a", "b"])), max_size=10).map(
    lambda xs: [_at(i, a, m, min(q, m // 15), g) for i, (a, m, q, g) in enumerate(xs)])


def _union_minutes(sessions) -> int:
    minutes = set()
    for s in sessions:
        if s.quarters > 0:
            a = int((s.starts_at - T0).total_seconds() // 60)
            minutes.update(range(a, a + s.minutes))
    return len(minutes)


@given(timed_st)
def test_no_credit_beyond_the_minutes_the_sessions_cover(sessions):
    """Whatever labels say, all sessions together never give more than 1 credit an hour of the
    union of their times, nor more than they are designated for."""
    total = eligible_quarters(sessions, {s.id for s in sessions}, set(), 10_000)
    assert total <= _union_minutes(sessions) // 15
    assert total <= sum(s.quarters for s in sessions)


def test_parallel_sessions_count_once_from_the_schedule_not_labels():
    w1, w2 = _at(1, 0, 75, 5), _at(2, 0, 75, 5)  # two workshops at the same time, no label typed
    assert eligible_quarters([w1, w2], {1, 2}, set(), 100) == 5
    assert eligible_quarters([w1, _at(2, 0, 75, 5, "x")], {1, 2}, set(), 100) == 5  # a label cannot split them
    half = _at(3, 30, 60, 4)  # starts half an hour into W1: 90 minutes in all
    assert eligible_quarters([w1, half], {1, 3}, set(), 100) == 6
    # a label merges a workshop given twice (not overlapping): it counts once
    again = [_at(1, 0, 60, 4, "repeat"), _at(2, 300, 60, 4, "repeat"), _at(3, 120, 60, 4)]
    assert eligible_quarters(again, {1, 2, 3}, set(), 100) == 8


@given(st.integers(0, 400))
def test_quarter_steps_round_trip(quarters):
    assert parse_credit(format_credit(quarters)) == quarters


@pytest.mark.parametrize("text", ["1.1", "0.3", "2.125", "-1", "abc", "nan", "inf"])
def test_only_quarter_steps_are_accepted(text):
    with pytest.raises(ValueError):
        parse_credit(text)


def test_designation_never_exceeds_educational_length():
    assert designation_problem(6, 90) is None
    assert "At most 1.50" in designation_problem(7, 90)
    assert designation_problem(4, 75) is None and designation_problem(5, 75) is None
    assert designation_problem(6, 75)


def test_presence_share_with_in_and_out_scans():
    start, end = T0, T0 + timedelta(minutes=100)
    assert presence_share(pair_scans([("in", start - timedelta(minutes=5))]), start, end) == 1.0
    half = pair_scans([("in", start), ("out", start + timedelta(minutes=50))])
    assert presence_share(half, start, end) == pytest.approx(0.5)
    back = pair_scans([("in", start), ("out", start + timedelta(minutes=50)), ("in", start + timedelta(minutes=60))])
    assert presence_share(back, start, end) == pytest.approx(0.9)
    assert presence_share(pair_scans([("out", start)]), start, end) == 0


def test_claims_respect_eligibility_attestation_deadline_and_evaluation():
    ok = dict(attested=True, deadline=T0, now=T0 - timedelta(days=1), evaluation_required=True, evaluated=True)
    assert claim_problems(10, 10, **ok) == []
    assert [p.field for p in claim_problems(11, 10, **ok)] == ["credit"]
    assert [p.field for p in claim_problems(4, 10, **{**ok, "now": T0 + timedelta(seconds=1)})] == ["credit"]
    assert [p.field for p in claim_problems(4, 10, **{**ok, "attested": False})] == ["attest"]
    assert [p.field for p in claim_problems(4, 10, **{**ok, "evaluated": False})] == ["evaluation"]


@given(st.integers(0, 40), st.integers(0, 40), st.booleans(), st.booleans())
def test_a_claim_above_eligibility_is_always_refused(requested, eligible, attested, evaluated):
    problems = claim_problems(requested, eligible, attested=attested, deadline=None, now=T0,
                              evaluation_required=False, evaluated=evaluated)
    if requested > eligible or requested == 0:
        assert any(p.field == "credit" for p in problems)


def test_credit_types_follow_the_profession():
    offered = ["ama_pra_1", "ancc", "apa"]
    assert is_md_or_do("MD") and is_md_or_do("D.O.") and is_md_or_do("MD, PhD") and not is_md_or_do("MBBS")
    assert types_for("MD", "physician", offered) == ["ama_pra_1", "participation"]
    assert types_for("RN", "nurse", offered) == ["ancc", "participation"]
    assert types_for("LCSW", "social_worker", offered) == ["participation"]
    assert types_for("MBBS", "physician", offered) == ["participation"]


def test_session_types_limit_which_credit_they_carry():
    s = [_s(0, 4, types={"ama_pra_1"}), _s(1, 4)]
    assert eligible_quarters(s, {0, 1}, set(), 100, "ancc") == 4
    assert eligible_quarters(s, {0, 1}, set(), 100, "ama_pra_1") == 8
    assert eligible_quarters(s, {0, 1}, set(), 100, "participation") == 8


def test_serials_are_random_and_forgiving_to_type():
    serials = {new_serial() for _ in range(2000)}
    assert len(serials) == 2000
    s = next(iter(serials))
    assert normalize(s.lower()) == s and normalize("CME-AAAAA") is None and normalize("") is None

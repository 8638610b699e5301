from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from confops.registration import pricing
from confops.registration.pricing import AddOnPrice, CategoryPrice, CodeTerms, PhaseRules
from confops.registration.tables import CodeKind, PhaseKind

RES = CategoryPrice("resident", "Resident", 64000, 70000, 75000)
MEM = CategoryPrice("member", "Member", 80000, 87500, 90000)
WORKSHOP = AddOnPrice("workshop", "Workshop", 15000)
NOW = datetime(2026, 11, 1, tzinfo=UTC)

cents = st.integers(min_value=0, max_value=10_000_000)
codes = st.one_of(
    st.none(),
    st.builds(CodeTerms, st.just("C"), st.just(CodeKind.percent), st.integers(0, 100)),
    st.builds(CodeTerms, st.just("C"), st.just(CodeKind.fixed), st.just(0), cents),
    st.builds(CodeTerms, st.just("C"), st.just(CodeKind.free)),
)


def test_early_bird_ends_at_a_date():
    rules = PhaseRules(early_bird_ends_at=NOW + timedelta(days=1))
    assert pricing.current_phase(rules, NOW, 999) == PhaseKind.early
    assert pricing.current_phase(rules, NOW + timedelta(days=1), 0) == PhaseKind.regular


def test_early_bird_ends_after_first_n_registrants():
    rules = PhaseRules(early_bird_first_n=100)
    assert pricing.current_phase(rules, NOW, 99) == PhaseKind.early
    assert pricing.current_phase(rules, NOW, 100) == PhaseKind.regular


def test_late_phase_wins():
    rules = PhaseRules(early_bird_ends_at=NOW + timedelta(days=9), late_starts_at=NOW)
    assert pricing.current_phase(rules, NOW, 0) == PhaseKind.late
    assert pricing.current_phase(PhaseRules(), NOW, 0) == PhaseKind.regular


def test_resident_with_workshop_and_percent_code():
    quote = pricing.price_order([(RES, [(WORKSHOP, 1)])], phase=PhaseKind.early,
                                code=CodeTerms("SAVE10", CodeKind.percent, 10), currency="USD")
    # 10 % off the fee only (6400.00 -> 640.00 off), workshop at full price
    assert quote.total_cents == 64000 - 6400 + 15000
    assert quote.snapshot()["lines"][0]["discount_cents"] == 6400


def test_percent_rounds_half_up_to_the_cent():
    cat = CategoryPrice("x", "X", 64005, 64005, 64005)
    line = pricing.price_attendee(cat, PhaseKind.regular, [], CodeTerms("C", CodeKind.percent, 15))
    assert line.discount_cents == 9601  # 9600.75 rounds up


def test_code_only_for_its_categories():
    code = CodeTerms("R", CodeKind.fixed, amount_cents=5000, categories=frozenset({"resident"}))
    quote = pricing.price_order([(RES, []), (MEM, [])], phase=PhaseKind.regular, code=code, currency="USD")
    assert [line.discount_cents for line in quote.lines] == [5000, 0]
    assert quote.code_uses == 1


@given(fee=cents, addon=cents, qty=st.integers(0, 20), code=codes)
def test_never_below_zero_and_discount_never_exceeds_fee(fee, addon, qty, code):
    cat = CategoryPrice("c", "C", fee, fee, fee)
    line = pricing.price_attendee(cat, PhaseKind.regular, [(AddOnPrice("a", "A", addon), qty)], code)
    assert 0 <= line.discount_cents <= line.fee_cents
    assert line.total_cents == line.fee_cents - line.discount_cents + addon * qty
    assert line.total_cents >= 0


@given(st.lists(st.tuples(st.sampled_from([RES, MEM]), st.integers(0, 3)), min_size=1, max_size=10), codes)
def test_group_total_is_sum_of_attendee_lines(group, code):
    quote = pricing.price_order([(c, [(WORKSHOP, q)]) for c, q in group], phase=PhaseKind.early, code=code,
                                currency="USD")
    assert quote.total_cents == sum(line.total_cents for line in quote.lines)
    assert len(quote.lines) == len(group)

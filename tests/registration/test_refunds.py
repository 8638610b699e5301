from datetime import UTC, datetime, timedelta

from confops.registration.refunds import refund_cents

START = datetime(2027, 6, 1, tzinfo=UTC)


def tiered(days_before: float) -> int:
    return refund_cents(100000, policy="tiered", tiers="60:80,30:50", fee_cents=0,
                        now=START - timedelta(days=days_before), event_starts_at=START)


def test_tiered_by_days_before_the_event():
    assert tiered(90) == 80000
    assert tiered(60) == 80000
    assert tiered(59.5) == 50000
    assert tiered(30) == 50000
    assert tiered(29) == 0
    assert tiered(-1) == 0


def test_flat_fee_never_negative():
    now = START - timedelta(days=10)
    assert refund_cents(100000, policy="flat_fee", tiers="", fee_cents=7500, now=now, event_starts_at=START) == 92500
    assert refund_cents(5000, policy="flat_fee", tiers="", fee_cents=7500, now=now, event_starts_at=START) == 0


def test_nothing_paid_nothing_refunded():
    assert tiered_zero() == 0


def tiered_zero() -> int:
    return refund_cents(0, policy="tiered", tiers="60:80", fee_cents=0, now=START - timedelta(days=99),
                        event_starts_at=START)

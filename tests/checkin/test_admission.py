"""The admission rule's two forms agree: for generated registration, order and payment states,
admission.standing() lets in exactly the rows for which admission.MAY_COME_IN holds when the
database evaluates it, on each engine. The door's one-statement path inserts by the SQL form
and explains by the Python form; a difference would refuse someone the desk then calls welcome,
or let in someone it calls unpaid."""

from __future__ import annotations

import asyncio

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confops.checkin.admission import MAY_COME_IN, OK, standing
from confops.checkin.tables import CheckinScan
from confops.registration.tables import AttendeeStatus, OrderStatus

CENTS = st.one_of(st.just(0), st.integers(1, 50_000))


@st.composite
def person_states(draw) -> dict:
    total = draw(CENTS)
    payments = draw(st.lists(CENTS, max_size=3))  # succeeded payments, summed as PERSON_SQL does
    paid = sum(payments)
    refunded = draw(st.one_of(st.just(0), st.just(paid), st.integers(0, max(paid, 1) * 2)))
    return {"status": draw(st.sampled_from([s.value for s in AttendeeStatus])),
            "order_status": draw(st.sampled_from([s.value for s in OrderStatus])),
            "total_cents": total, "paid_cents": paid, "refunded_cents": refunded,
            "currency": "USD", "accessibility": draw(st.sampled_from(["", "wheelchair access"]))}


async def _admitted_by_sql(states: list[dict]) -> list[bool]:
    # The states are enum values and integers made above: safe as literals.
    rows = " UNION ALL ".join(
        f"SELECT {n} AS n, '{s['status']}' AS status, '{s['order_status']}' AS order_status, "
        f"{s['total_cents']} AS total_cents, {s['paid_cents']} AS paid_cents, "
        f"{s['refunded_cents']} AS refunded_cents" for n, s in enumerate(states))
    result = await CheckinScan.raw(
        f"WITH p AS ({rows}) SELECT n, CASE WHEN {MAY_COME_IN} THEN 1 ELSE 0 END AS admitted FROM p ORDER BY n")
    return [bool(r["admitted"]) for r in result]


async def test_the_python_and_sql_forms_of_admission_agree(db):
    loop = asyncio.get_running_loop()
    seen = {"admitted": 0, "refused": 0}

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(person_states(), min_size=1, max_size=40))
    def agree(states):
        by_sql = asyncio.run_coroutine_threadsafe(_admitted_by_sql(states), loop).result(timeout=60)
        for state, sql_says in zip(states, by_sql, strict=True):
            python_says = standing(state)[0] == OK
            assert python_says == sql_says, state
            seen["admitted" if python_says else "refused"] += 1

    await asyncio.to_thread(agree)  # the examples run in a thread; their queries on this loop
    assert seen["admitted"] and seen["refused"]  # both sides of the rule were exercised

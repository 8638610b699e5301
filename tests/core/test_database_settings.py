"""PostgreSQL connections run without JIT compilation: at 20,000 registrations the staff lists'
queries crossed its cost threshold and spent more time compiling (100 ms and more) than running
(issue 29, found with EXPLAIN ANALYZE on the badge list's count)."""

from confops.registration.tables import Attendee


async def test_postgres_connections_have_jit_off(pg_db):
    [row] = await Attendee.raw("SHOW jit")
    assert row["jit"] == "off"

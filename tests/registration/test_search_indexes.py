"""Staff searches run in the database without regard to case or accents, and on PostgreSQL a
trigram index serves them (issue 29): the registrations, CME learners and payments searches."""

import pytest

from confops.db import transaction
from confops.events.tables import Event
from confops.payments.reports import BUYER_SEARCH
from confops.registration.staff import search
from confops.registration.tables import Attendee
from tests.documents.test_badge_data import register

SLUG = "abs-national-meeting"


async def test_search_ignores_case_and_accents_and_takes_wildcards_literally(db, demo):
    await register("garcia", "Inés", "García-Ødegaard", email="ines@example.org", institution="Hôpital Cochin")
    event = (await Event.select(Event.id).where(Event.slug == SLUG).first())["id"]
    for q in ("garcia", "GARCÍA", "ines garcia", "odegaard", "hopital", "INES@EXAMPLE"):
        found = await search(event, q)
        assert [r["last_name"] for r in found.rows] == ["García-Ødegaard"], q
    assert (await search(event, "%")).total == (await search(event, "")).total == await Attendee.count().where(
        Attendee.event == event)
    assert (await search(event, "garc_a")).total == 0


@pytest.mark.parametrize("table, condition", [
    ("registration_attendee", "search_text LIKE '%garcia%'"),
    ("registration_attendee", "name_search LIKE '%garcia%'"),
    ("registration_order", f"{BUYER_SEARCH} LIKE '%garcia%'"),
])
async def test_postgres_answers_the_searches_from_a_trigram_index(pg_db, table, condition):
    async with transaction():  # one connection; tiny test tables: show that the index can serve it
        await Attendee.raw("SET LOCAL enable_seqscan = off")
        plan = "\n".join(r["QUERY PLAN"] for r in await Attendee.raw(
            f"EXPLAIN SELECT id FROM {table} WHERE {condition}"))
    assert "_trgm" in plan, plan

"""The badge list reads in proportion to its page, not to the event, and one person still gets
one badge.

Whether a registration is the first confirmed one of its e-mail is asked of an index on (event,
e-mail, id), one registration at a time, in the count of a filtered list: that count stops after
the rows it needs, so its lookups stop there too, where an anti-join would first hash every
registration of the event. Tiny test tables: the plans are read with sequential scans off, to
show what the index can serve, as tests/registration/test_search_indexes.py does."""

import sqlite3

import asyncpg

from confops.db import current_engine, is_sqlite
from confops.documents.badge_data import BadgeFilters, badge_roster, roster_page
from confops.registration.tables import Attendee, AttendeeStatus
from tests.conftest import TEST_SECRET
from tests.documents.test_badge_data import register
from tests.support.grow import grow
from tests.support.statements import statements_counted, statements_seen

SLUG = "abs-national-meeting"
INDEX = "registration_attendee_event_email_idx"
UNPRINTED = BadgeFilters(roles=frozenset({"attendee"}), not_printed=True)


async def _count_plan(db, filters: BadgeFilters) -> str:
    """The plan of the filtered badge list's count (the statement that counts with the e-mail check)."""
    if is_sqlite(current_engine()):
        with statements_counted() as sent:
            await roster_page(SLUG, filters, secret_key=TEST_SECRET, page=2, size=7)
        [count] = [s for s in sent if s.startswith("SELECT COUNT(*)") and "b.email" in s]
        with sqlite3.connect(db.url[len("sqlite:///"):]) as conn:
            rows = conn.execute(f"EXPLAIN QUERY PLAN {count}", [None] * count.count("?")).fetchall()
        return "\n".join(str(r[-1]) for r in rows)
    with statements_seen() as sent:
        await roster_page(SLUG, filters, secret_key=TEST_SECRET, page=2, size=7)
    [(count, args)] = [(s, a) for s, a in sent if s.startswith("SELECT COUNT(*)") and "b.email" in s]
    conn = await asyncpg.connect(db.url)
    try:
        await conn.execute("SET enable_seqscan = off")
        return "\n".join(r[0] for r in await conn.fetch(f"EXPLAIN {count}", *args))
    finally:
        await conn.close()


async def test_the_badge_count_looks_up_each_registrations_email_in_the_index(db, demo):
    await grow(SLUG, 30)
    for filters in (UNPRINTED, BadgeFilters(name="an")):
        plan = await _count_plan(db, filters)
        assert INDEX in plan, plan
        if not is_sqlite(current_engine()):  # a lookup per registration: never the event's rows hashed
            assert INDEX in plan.split("SubPlan", 1)[-1] and "SubPlan" in plan, plan


async def test_one_badge_for_the_first_confirmed_registration_of_an_email(db, demo):
    people = [("a1", "Ada", "ada", False), ("a2", "Ada", "ada", True),  # the first awaits payment: hers
              ("b1", "Bo", "bo", True), ("b2", "Bo", "bo", True),  # both confirmed: the first
              ("c1", "Cy", "cy", True), ("c2", "Cy", "cy", True),  # the first is cancelled below
              ("d1", "Di", "di", True), ("d2", "Di", "di", True)]  # the first moves to another e-mail
    ids = {}
    for key, first, mail, confirmed in people:
        placed = await register(key, first, "Twice", email=f"{mail}@example.org", complimentary=confirmed)
        ids[key] = (await Attendee.select(Attendee.id).where(Attendee.order == placed.id).first())["id"]
    await Attendee.update({Attendee.status: AttendeeStatus.cancelled.value}).where(Attendee.id == ids["c1"])
    await Attendee.update({Attendee.email: "di.elsewhere@example.org"}).where(Attendee.id == ids["d1"])
    await grow(SLUG, 20)
    for filters in (BadgeFilters(), UNPRINTED, BadgeFilters(name="twice")):
        roster = (await badge_roster(SLUG, filters, secret_key=TEST_SECRET)).badges
        assert {b.attendee_id for b in roster} & set(ids.values()) == {ids[k] for k in ("a2", "b1", "c2", "d1", "d2")}
        keys, page = [], 1
        while True:
            shown = await roster_page(SLUG, filters, secret_key=TEST_SECRET, page=page, size=9)
            keys += [b.person_key for b in shown.badges.rows]
            if page >= shown.badges.pages:
                break
            page += 1
        assert keys == [b.person_key for b in roster] and shown.badges.total == len(roster), filters

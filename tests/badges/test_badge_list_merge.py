"""The badge list is paged in the database (issue 29) while speakers, staff and group leaders,
who are not plain registrations, are slotted in between: every page of every filter, read one
after the other, must be exactly the event's badge roster in badge order, each person once.
Small pages (7 badges) so that the few land on page boundaries; names with accents and
non-Latin letters so that the database's order must be the badge order."""

from confops.badges.kinds import PrintReason
from confops.badges.printing import record_prints
from confops.documents.badge_data import BadgeFilters, badge_roster, roster_page
from confops.registration.tables import Attendee
from tests.conftest import TEST_SECRET
from tests.documents.test_badge_data import register
from tests.support.grow import grow

SLUG = "abs-national-meeting"
FILTERS = [BadgeFilters(), BadgeFilters(roles=frozenset({"attendee"})), BadgeFilters(roles=frozenset({"faculty"})),
           BadgeFilters(name="an"), BadgeFilters(name="OKAFOR"), BadgeFilters(categories=frozenset({"member"})),
           BadgeFilters(not_printed=True), BadgeFilters(not_printed=True, roles=frozenset({"group_leader"}))]


async def _paged(filters: BadgeFilters, size: int) -> list[str]:
    keys, page = [], 1
    while True:
        shown = await roster_page(SLUG, filters, secret_key=TEST_SECRET, page=page, size=size)
        keys += [b.person_key for b in shown.badges.rows]
        assert shown.badges.total == len(keys) or page < shown.badges.pages
        if page >= shown.badges.pages:
            return keys
        page += 1


async def test_every_page_of_every_filter_is_the_roster_in_badge_order(db, demo):
    await register("okafor", "Sam", "Okafor", email="Samuel@Example.org")  # a speaker who registered
    await register("okafor2", "Sam", "Okafor", email="samuel@example.org")  # the same e-mail again: no badge
    for key, first, last in [("o1", "Åse", "Ødegaard"), ("o2", "Olga", "Oden"), ("l1", "Łucja", "Łukasiewicz"),
                             ("l2", "Luis", "Lukas"), ("g1", "Νίκος", "Παπαδάκης"), ("z1", "Zoë", "Zapata"),
                             ("z2", "zoe", "zapata"), ("d1", "Đức", "Đặng")]:
        await register(key, first, last)
    await grow(SLUG, 25)
    roster = await badge_roster(SLUG, secret_key=TEST_SECRET)
    printed = [b for i, b in enumerate(roster.badges) if i % 3 == 0]
    await record_prints(roster.event["id"], printed, "badge-4x3", PrintReason.batch, None)

    names = [(b.last_name, b.first_name) for b in roster.badges]
    assert names.index(("Ødegaard", "Åse")) < names.index(("Oden", "Olga"))  # Ø with the O's: "ode" < "odeg"
    assert names.index(("Lukas", "Luis")) < names.index(("Łukasiewicz", "Łucja"))
    assert names.index(("Zapata", "Zoë")) < names.index(("zapata", "zoe"))  # same folded name: registration order
    assert names.index(("Παπαδάκης", "Νίκος")) > max(i for i, (last, _) in enumerate(names) if last.isascii())
    assert len({b.person_key for b in roster.badges}) == len(roster.badges)
    assert sum(1 for b in roster.badges if b.last_name == "Okafor" and b.first_name == "Sam") == 1

    for filters in FILTERS:
        expected = [b.person_key for b in (await badge_roster(SLUG, filters, secret_key=TEST_SECRET)).badges]
        assert expected, filters
        for size in (7, 50):
            assert await _paged(filters, size) == expected, (filters, size)


async def test_the_name_filter_ignores_case_and_accents_and_a_changed_name_is_found_by_its_new_name(db, demo):
    placed = await register("zoe", "Zoë", "Ødegaard")
    shown = await roster_page(SLUG, BadgeFilters(name="zoe odeg"), secret_key=TEST_SECRET, page=1)
    assert [b.full_name for b in shown.badges.rows] == ["Zoë Ødegaard"]
    assert (await roster_page(SLUG, BadgeFilters(name="50%_"), secret_key=TEST_SECRET, page=1)).badges.total == 0

    from confops.registration.selfservice import edit_answers
    from confops.registration.tables import Order
    order = await Order.select().where(Order.id == placed.id).first()
    person = await Attendee.select(Attendee.id).where(Attendee.order == placed.id).first()
    await edit_answers(order, person["id"], {"last_name": "Nakamura-Núñez"}, {}, staff=True)
    assert (await roster_page(SLUG, BadgeFilters(name="odeg"), secret_key=TEST_SECRET, page=1)).badges.total == 0
    [moved] = (await roster_page(SLUG, BadgeFilters(name="nunez"), secret_key=TEST_SECRET, page=1)).badges.rows
    assert moved.full_name == "Zoë Nakamura-Núñez"

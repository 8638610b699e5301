"""Long lists count their rows only up to a bound past the current page (issue 29): a search
matching 20,000 registrations must cost what one matching 1,000 does. Staff then read "1–10 of
30+", can still page on to every row (Next, or any page number up to the known count; each
page counts further), and a list shorter than the bound shows its exact total. The bound is
made small here (`COUNT_CAP`) so that a few hundred rows cross it."""

from __future__ import annotations

from confops.core import paging
from confops.documents.badge_data import BadgeFilters, badge_roster, roster_page
from confops.events.tables import Event
from confops.registration.staff import search
from confops.registration.tables import Attendee
from tests.backoffice.conftest import sign_in
from tests.conftest import TEST_SECRET
from tests.support.grow import grow

SLUG = "abs-national-meeting"


async def test_a_long_search_says_how_far_it_counted_and_pages_on_to_every_row(db, demo, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 20)
    await grow(SLUG, 60, tag="bound")
    event_id = (await Event.select(Event.id).where(Event.slug == SLUG).first())["id"]
    everyone = {r["id"] for r in await Attendee.select(Attendee.id).where(
        (Attendee.event == event_id) & Attendee.email.like("gbound%"))}
    assert len(everyone) > 100

    first = await search(event_id, "gbound", size=10)
    assert (first.total, first.more, first.pages, first.total_text) == (30, True, 3, "30+")
    seen, number, page = [], 1, first
    while True:
        seen += [r["id"] for r in page.rows]
        assert len(page.rows) == 10 or not page.more
        if number >= page.pages:
            break
        number += 1
        page = await search(event_id, "gbound", page=number, size=10)
        assert page.number == number and (page.more or page.total == len(everyone))
    assert page.more is False and page.total == len(everyone) and page.total_text == str(len(everyone))
    assert len(seen) == len(set(seen)) and set(seen) == everyone

    # A page past what is known counts up to it; a page past the end shows the last page.
    deep = await search(event_id, "gbound", page=9, size=10)
    assert deep.number == 9 and deep.total == 110 and deep.more
    past = await search(event_id, "gbound", page=10_000, size=10)
    assert past.number == past.pages and not past.more and past.total == len(everyone)

    short = await search(event_id, "gbound1-", size=10)  # g…1-k, g…1x-k: short list, exact total
    assert not short.more and short.total == len(short.rows) + (short.pages - 1) * 10


async def test_the_staff_pages_state_the_bound_and_link_the_next_page(client, demo, monkeypatch):
    monkeypatch.setattr(paging, "COUNT_CAP", 20)
    await grow(SLUG, 60, tag="seen")
    await sign_in(client, "registrar@example.org")
    r = await client.get(f"/staff/events/{SLUG}/registrations/", params={"q": "gseen"})
    assert r.status_code == 200
    assert "Showing 1–50 of 70+ (counted up to 70 so that long lists open quickly" in r.text
    assert 'href="?q=gseen&amp;page=2" rel="next"' in r.text
    n = await Attendee.count().where(Attendee.email.like("gseen%"))
    assert 100 < n <= 120  # 60 orders of 1–3 people
    last = await client.get(f"/staff/events/{SLUG}/registrations/", params={"q": "gseen", "page": 3})
    assert f"Showing 101–{n} of {n}</p>" in last.text and 'rel="next"' not in last.text

    badges = await client.get(f"/staff/events/{SLUG}/badges/", params={"role": "attendee"})
    assert badges.status_code == 200 and '<strong id="badge-count">70+</strong>' in badges.text


async def test_every_badge_page_under_a_small_bound_is_still_the_roster(db, demo):
    await grow(SLUG, 40, tag="badge")
    for filters in (BadgeFilters(), BadgeFilters(roles=frozenset({"attendee"})), BadgeFilters(name="an")):
        expected = [b.person_key for b in (await badge_roster(SLUG, filters, secret_key=TEST_SECRET)).badges]
        keys, number = [], 1
        while True:
            shown = await roster_page(SLUG, filters, secret_key=TEST_SECRET, page=number, size=7, cap=5)
            keys += [b.person_key for b in shown.badges.rows]
            if number >= shown.badges.pages:
                break
            assert shown.badges.more or shown.badges.total == len(expected)
            number += 1
        assert not shown.badges.more and shown.badges.total == len(expected)
        assert keys == expected, filters

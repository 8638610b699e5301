"""The registrations list pages through every registration (issue 29): a total, page links
that keep the search, status and sort, and nothing silently cut at 200."""

import re

from confops.registration.tables import Attendee
from tests.backoffice.conftest import sign_in
from tests.support.grow import grow

BASE = "/staff/events/abs-national-meeting/registrations/"


def names(html: str) -> list[str]:
    return re.findall(r'/registrations/attendees/\d+">([^<]+)</a>', html)


def next_link(html: str) -> str:
    return re.search(r'<a href="(\?[^"]*)" rel="next">', html).group(1).replace("&amp;", "&")


async def test_staff_page_through_every_registration_with_the_search_kept(client, demo):
    await grow("abs-national-meeting", 130)  # with the demo's, more than 200 people
    await sign_in(client, "registrar@example.org")
    total = await Attendee.count().where(Attendee.event.slug == "abs-national-meeting")
    assert total > 200

    first = await client.get(BASE)
    assert f"of {total}</p>" in first.text and len(names(first.text)) == 50
    seen, link = names(first.text), next_link(first.text)
    while True:  # follow "Next" to the end: every registration once, in name order
        page = await client.get(BASE + link)
        seen += names(page.text)
        if 'rel="next"' not in page.text:
            break
        link = next_link(page.text)
    assert len(seen) == total
    expected = [f"{a['last_name']}, {a['first_name']}" for a in await Attendee.select(
        Attendee.last_name, Attendee.first_name).where(Attendee.event.slug == "abs-national-meeting").order_by(
        Attendee.last_name, Attendee.first_name, Attendee.id)]
    assert [n.replace("&#39;", "'") for n in seen] == expected

    grown = await client.get(BASE, params={"q": "grown hospital", "status": "active", "sort": "newest"})
    matching = await Attendee.count().where(Attendee.institution == "Grown Hospital")
    assert f"of {matching}</p>" in grown.text
    following = next_link(grown.text)
    assert "q=grown+hospital" in following and "status=active" in following and "sort=newest" in following
    second = await client.get(BASE + following)
    assert set(names(second.text)).isdisjoint(names(grown.text)) and "Showing 51–100" in second.text

    for hostile in ("abc", "-3", "99999999999", "1e9"):  # never a 500; a page past the end is the last page
        r = await client.get(BASE, params={"page": hostile})
        assert r.status_code == 200 and "Showing" in r.text
    last = await client.get(BASE, params={"page": "99999"})
    assert f"–{total} of {total}" in last.text

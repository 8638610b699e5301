"""Staff reach every back-office page of an event from their start page."""

import re

from tests.support.http import post_form


async def test_staff_home_links_to_each_events_back_office(client, demo):
    r = await post_form(client, "/staff/login", {"email": "registrar@example.org", "password": "confops-demo"},
                        page="/staff/login")
    assert r.status_code == 303
    home = await client.get("/staff")
    links = set(re.findall(r'href="(/staff/events/[^"]+)"', home.text))
    wanted = ("registrations", "payments", "reconciliation", "schedule", "speakers")
    for part in wanted:
        assert any(link.endswith(f"/{part}") for link in links), part
    meeting = [link for link in links if "abs-national-meeting/" in link]
    assert meeting, links
    for link in sorted(links):
        if link.endswith("/disclosures"):
            continue  # CME coordinators only
        page = await client.get(link)
        assert page.status_code == 200, (link, page.status_code)

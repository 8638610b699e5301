"""The badge list pages at meeting size (issue 29): a total, 50 badges a page in last-name order,
page links that keep the filters, the awaiting-payment list narrowed by the name filter too, and
one badge at the desk found without drawing up the whole event."""

import re

from confops.documents.badge_data import BadgeFilters, badge_data_for_event
from confops.registration.tables import Attendee
from tests.badges.test_pages import BADGES, count_of, sign_in
from tests.conftest import TEST_SECRET
from tests.support.grow import grow
from tests.support.statements import statements_counted

SLUG = "abs-national-meeting"


def listed(html: str) -> list[str]:
    return re.findall(r'<tr id="badge-([^"]+)">', html.split("<tbody>")[1])


async def test_badges_page_through_everyone_and_the_name_filter_narrows_the_unpaid_too(client, demo):
    await grow(SLUG, 60)
    await sign_in(client, "registrar@example.org")
    everyone = await badge_data_for_event(SLUG, secret_key=TEST_SECRET)
    first = await client.get(BADGES)
    assert count_of(first) == len(everyone) > 100 and f"of {len(everyone)}</p>" in first.text
    assert listed(first.text) == [b.person_key for b in everyone[:50]]
    badge_pager = first.text.split('aria-label="Badge pages"')[1].split("</nav>")[0]
    link = re.search(r'<a href="(\?[^"]*)" rel="next">', badge_pager).group(1).replace("&amp;", "&")
    second = await client.get(BADGES + link)
    assert listed(second.text) == [b.person_key for b in everyone[50:100]]

    filtered = await client.get(BADGES, params={"role": "attendee", "name": "lopez"})
    keys = listed(filtered.text)
    assert keys and all(b.full_name.lower().count("lopez") for b in everyone if b.person_key in keys)
    unpaid = filtered.text.split('id="unpaid"')[1].split("</section>")[0]
    names = re.findall(r"<li>([^<(]+) \(", unpaid)
    assert names and all("Lopez" in n for n in names)  # not every unpaid registration of the event
    attending = await client.get(BADGES, params={"role": "attendee", "not_printed": "1"})
    pager = attending.text.split('aria-label="Badge pages"')[1].split("</nav>")[0].replace("&amp;", "&")
    assert "role=attendee" in pager and "not_printed=1" in pager and "page=2" in pager

    one = (await Attendee.select(Attendee.id).where(Attendee.order.status == "confirmed").limit(1).first())["id"]
    with statements_counted() as seen:
        pdf = await client.get(f"{BADGES}/people/attendee-{one}/badge.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    reading_all = [s for s in seen if "registration_attendee" in s and "IN" not in s.upper().split("WHERE")[-1]]
    assert not reading_all, reading_all  # the desk's one badge reads that registration, not the event's
    [badge] = await badge_data_for_event(SLUG, BadgeFilters(person_keys=frozenset({f"attendee-{one}"})),
                                         secret_key=TEST_SECRET)
    assert badge.attendee_id == one and badge.qr_token

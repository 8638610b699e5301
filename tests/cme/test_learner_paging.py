"""The coordinator's learner list at meeting size (issue 29): learners a page at a time with a
total, filters (claimed / attended, not claimed / no attendance yet) and search in the URL,
counts from SQL, and the same statements whatever the number of learners."""

import re

from confops.cme.tables import AttendanceMark, CmeClaim
from confops.events.tables import Event
from confops.registration.tables import Attendee
from tests.backoffice.conftest import sign_in
from tests.support.grow import grow
from tests.support.statements import statements_counted

SLUG = "abs-national-meeting"
URL = f"/staff/events/{SLUG}/cme/learners"


def learner_ids(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'<tr id="a(\d+)">', html)]


async def test_coordinator_pages_and_filters_learners(client, demo):
    await grow(SLUG, 60)
    event_id = (await Event.select(Event.id).where(Event.slug == SLUG).first())["id"]
    await sign_in(client, "cme@example.org")
    with statements_counted() as seen:
        first = await client.get(URL)
    assert first.status_code == 200
    active = await Attendee.select(Attendee.id).where((Attendee.event == event_id) & (Attendee.status == "active")
                                                      ).order_by(Attendee.last_name, Attendee.first_name, Attendee.id)
    assert f"of {len(active)}</p>" in first.text and learner_ids(first.text) == [a["id"] for a in active[:50]]
    claimed = await CmeClaim.count().where(CmeClaim.event == event_id)
    present = len({m["attendee"] for m in await AttendanceMark.select(AttendanceMark.attendee).where(
        (AttendanceMark.event == event_id) & (AttendanceMark.present == True)  # noqa: E712
        & AttendanceMark.session.is_not_null())})
    confirmed = await Attendee.count().where((Attendee.event == event_id) & (Attendee.status == "active")
                                             & (Attendee.order.status == "confirmed"))
    held = await Attendee.count().where((Attendee.event == event_id) & (Attendee.status == "active")
                                        & Attendee.order.status.is_in(["pending", "awaiting_payment"]))
    assert held and confirmed + held == len(active)  # the demo's unpaid order is listed, not counted confirmed
    assert (f"{confirmed} confirmed ({held} more held for unpaid orders) · {present} with attendance recorded · "
            f"{claimed} claimed") in first.text

    only_claimed = await client.get(URL, params={"show": "claimed"})
    claimers = {c["attendee"] for c in await CmeClaim.select(CmeClaim.attendee).where(CmeClaim.event == event_id)}
    assert set(learner_ids(only_claimed.text)) <= claimers and f"of {claimed}</p>" in only_claimed.text
    waiting = await client.get(URL, params={"show": "attended"})
    assert not set(learner_ids(waiting.text)) & claimers and learner_ids(waiting.text)
    not_yet = await client.get(URL, params={"show": "not_yet"})
    pager = not_yet.text.split('aria-label="Learner pages"')[1].split("</nav>")[0].replace("&amp;", "&")
    assert "show=not_yet" in pager and "page=2" in pager
    link = re.search(r'href="(\?[^"]*)" rel="next"', pager).group(1)
    second = await client.get(URL + link)
    assert learner_ids(second.text) and not set(learner_ids(second.text)) & set(learner_ids(not_yet.text))
    assert (await client.get(URL, params={"show": "<script>", "page": "x", "q": "'%_"})).status_code == 200

    await grow(SLUG, 40)
    with statements_counted() as again:
        await client.get(URL)
    assert len(again) == len(seen)

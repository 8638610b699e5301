"""Exports read their rows a chunk at a time (issue 29): every row arrives once, in order, across
chunk boundaries, even where names repeat; only the export asked for is read."""

import csv
import io

from confops.checkin.tables import CheckinScan
from confops.cme.tables import CmeClaim
from confops.core import paging
from confops.registration.tables import Attendee
from tests.backoffice.conftest import sign_in
from tests.support.grow import grow
from tests.support.statements import statements_counted

SLUG = "abs-national-meeting"
BASE = f"/staff/events/{SLUG}/exports"


def rows_of(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


async def test_exports_stream_every_row_once_in_order_across_chunks(client, demo, monkeypatch):
    await grow(SLUG, 40)
    await grow(SLUG, 40)  # the same names again: the chunks must still not skip or repeat anyone
    monkeypatch.setattr(paging, "CHUNK", 7)
    await sign_in(client, "admin@example.org")

    r = await client.get(f"{BASE}/registrations/csv")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    got = rows_of(r.text)
    expected = await Attendee.select(Attendee.id).where(Attendee.event.slug == SLUG).order_by(
        Attendee.last_name, Attendee.first_name, Attendee.id)
    assert got[0][:3] == ["Registration no.", "Order no.", "Last name"]
    assert [int(row[0]) for row in got[1:]] == [a["id"] for a in expected]

    scans = await CheckinScan.count().where(CheckinScan.checkin_list.event.slug == SLUG)
    checkins = rows_of((await client.get(f"{BASE}/checkins/csv")).text)
    assert len(checkins) - 1 == scans > 14
    claims = rows_of((await client.get(f"/staff/events/{SLUG}/cme/claims.csv")).text)
    assert len(claims) - 1 == await CmeClaim.count().where(CmeClaim.event.slug == SLUG) > 7
    assert [r[:2] for r in claims[1:]] == sorted(r[:2] for r in claims[1:])

    with statements_counted() as listing:  # the page names the exports; it reads none of them
        page = await client.get(BASE)
    assert "Registrations with answers" in page.text and "CME claims" in page.text
    assert not any("registration_attendee" in s or "cme_claim" in s or "checkin_scan" in s for s in listing)
    with statements_counted() as one:  # a download reads its own table only
        await client.get(f"{BASE}/payments/csv")
    assert not any("checkin_scan" in s or "cme_claim" in s or "registration_answer" in s for s in one)

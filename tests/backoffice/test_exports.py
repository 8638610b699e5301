"""Every export over HTTP: human headers, answers as columns, payments and refunds, and cells
that cannot run as formulas whatever people typed."""

import csv
import io

from openpyxl import load_workbook

from confops.accounts.service import create_user
from confops.accounts.tables import Organizer
from confops.backoffice.tables import AuditEntry
from confops.core.auth import Role
from confops.payments.refunds import refund_order
from confops.payments.service import record_manual_payment
from confops.registration.orders import place_order
from tests.registration.factory import make_event, order, person
from tests.support.http import post_form

SLUG = "meeting"


async def _registrar(client) -> int:
    org = await Organizer.select(Organizer.slug).first()
    user = await create_user("reg@example.org", "Reg", password="a-long-password-1", roles=[(org["slug"], Role.registrar)])
    r = await post_form(client, "/staff/login", {"email": "reg@example.org", "password": "a-long-password-1"},
                        page="/staff/login")
    assert r.status_code == 303
    return user.id


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


async def test_every_export_reads_well_and_safely(client):
    await make_event()
    evil = person(email="evil@example.org", first_name="=HYPERLINK(\"http://evil\",\"x\")", last_name="@Sum",
                  dietary="=1+1", accessibility="wheelchair", answers={"first_meeting": "no"})
    placed = await place_order(SLUG, order(evil, person(email="ana@example.org", dietary="vegan", addons={"book": 2})),
                               hold_minutes=30, base_url="http://x")
    staff_id = await _registrar(client)
    await record_manual_payment(placed.id, method="cheque", amount_cents=placed.total_cents, reference="+CHQ 12",
                                recorded_by=staff_id)
    await refund_order(placed.id, 5000, reason="Goodwill", recorded_by=staff_id)
    assert await AuditEntry.exists().where((AuditEntry.action == "refund") & (AuditEntry.actor_id == staff_id))

    page = await client.get(f"/staff/events/{SLUG}/exports")
    for title in ("Registrations with answers", "Dietary counts", "Dietary list", "Accessibility follow-ups",
                  "Name list for signage", "Payments", "Refunds"):
        assert title in page.text

    regs = _csv((await client.get(f"/staff/events/{SLUG}/exports/registrations/csv")).text)
    assert regs[0][:4] == ["Registration no.", "Order no.", "Last name", "First name"]
    assert regs[0][-1] == "Is this your first meeting?"
    evil_row = next(r for r in regs if "evil@example.org" in r)
    assert evil_row[2] == "'@Sum" and evil_row[3].startswith("'=HYPERLINK") and evil_row[-1] == "no"
    ana = next(r for r in regs if "ana@example.org" in r)
    assert "The ABS book ×2" in ana and "yes" in ana

    book = load_workbook(io.BytesIO((await client.get(f"/staff/events/{SLUG}/exports/registrations/xlsx")).content))
    cells = [c for row in book.active.iter_rows() for c in row if c.value == "=1+1" or c.value == "@Sum"]
    assert cells and all(c.data_type == "s" for c in cells)

    access = _csv((await client.get(f"/staff/events/{SLUG}/exports/accessibility/csv")).text)
    assert access[0] == ["Last name", "First name", "E-mail", "Accessibility needs", "Followed up"]
    assert access[1][3] == "wheelchair" and access[1][4] == "no"
    signage = _csv((await client.get(f"/staff/events/{SLUG}/exports/signage/csv")).text)
    assert len(signage) == 3 and signage[0][2] == "Name on badge"
    payments = _csv((await client.get(f"/staff/events/{SLUG}/exports/payments/csv")).text)
    assert payments[1][6] == "'+CHQ 12" and float(payments[1][8]) == placed.total_cents / 100
    assert float(payments[1][9]) == 50.0
    refunds = _csv((await client.get(f"/staff/events/{SLUG}/exports/refunds/csv")).text)
    assert refunds[1][7] == "Goodwill" and float(refunds[1][4]) == 50.0
    counts = _csv((await client.get(f"/staff/events/{SLUG}/exports/catering-counts/csv")).text)
    assert ["vegan", "1"] in counts and ["Total people", "2"] in counts

    assert (await client.get(f"/staff/events/{SLUG}/exports/catering/csv")).status_code == 404
    assert (await client.get(f"/staff/events/{SLUG}/exports/nothing/xlsx")).status_code == 404
    assert (await client.get(f"/staff/events/{SLUG}/exports/payments/pdf")).status_code == 404


async def test_dashboard_of_an_empty_event(client):
    await make_event()
    await _registrar(client)
    page = await client.get(f"/staff/events/{SLUG}/dashboard")
    assert page.status_code == 200 and "No data yet." in page.text
    assert 'id="registered">0<' in page.text

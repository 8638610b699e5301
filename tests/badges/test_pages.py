"""Staff badge pages over HTTP: the list with filters, batch PDF that marks badges printed,
one reprint at the desk, who may use them; walk-in registration in one transaction."""

from __future__ import annotations

from datetime import timedelta

from confops.badges.tables import BadgePrint
from confops.checkin import tokens
from confops.checkin.service import event_key
from confops.core import clock, extension
from confops.documents.badge_data import BadgeFilters, badge_data_for_event
from confops.documents.layouts import load_layout
from confops.events.tables import Event
from confops.payments.tables import Payment
from confops.registration.tables import Attendee, Order
from tests.badges.readback import decoded_qr_codes, text_runs
from tests.conftest import TEST_SECRET
from tests.documents.test_badge_data import register
from tests.support.http import post_form

SLUG = "abs-national-meeting"
BADGES = f"/staff/events/{SLUG}/badges"
WALK_IN = f"/staff/events/{SLUG}/walk-in"


async def sign_in(client, email: str) -> None:
    r = await post_form(client, "/staff/login", {"email": email, "password": "confops-demo", "next": "/staff"},
                        page="/staff/login")
    assert r.status_code == 303, r.text


def count_of(page) -> int:
    return int(page.text.split('<strong id="badge-count">')[1].split("<")[0])


async def test_registrar_filters_prints_the_batch_and_reprints_one(client, demo):
    await register("zoe", "Zoë", "Ångström")
    await register("natalia", "Наталья", "Смирнова-Ким", category="resident")
    await register("ines", "Inés", "Quiroga", complimentary=False)  # awaits payment
    await sign_in(client, "registrar@example.org")
    listing = await client.get(BADGES)
    assert listing.status_code == 200
    assert "Zoë Ångström" in listing.text and "Samuel Okafor, PhD" in listing.text
    unpaid = listing.text.split('id="unpaid"')[1].split("</section>")[0]  # listed for the desk, not printed
    assert "Awaiting payment" in unpaid and "Inés Quiroga (ABS member)" in unpaid
    assert "Inés Quiroga" not in listing.text.split("<tbody>")[1]

    # The counts are the demo's registrations (other areas add theirs) plus the two made here.
    everyone_attending = await badge_data_for_event(SLUG, BadgeFilters(roles=frozenset({"attendee"})),
                                                    secret_key=TEST_SECRET)
    attendees = await client.get(BADGES, params={"role": "attendee", "layout": "avery-5392"})
    assert count_of(attendees) == len(everyone_attending) and "Samuel Okafor" not in attendees.text
    assert {"Zoë Ångström", "Наталья Смирнова-Ким"} <= {b.full_name for b in everyone_attending}
    residents = await client.get(BADGES, params={"category": "resident"})
    rows = residents.text.split("<tbody>")[1].split("</tbody>")[0]
    assert count_of(residents) == rows.count("<tr id=") and "Смирнова-Ким" in rows and "Zoë" not in rows

    pdf = await post_form(client, f"{BADGES}/print", {"role": "attendee", "layout": "avery-5392"}, page=BADGES)
    assert pdf.status_code == 200 and pdf.headers["content-type"] == "application/pdf"
    pages = text_runs(pdf.content)
    assert len(pages) == -(-len(everyone_attending) // load_layout("avery-5392").per_page)
    runs = [run for page in pages for run in page]
    assert runs.index("Zoë") < runs.index("Наталья")  # sorted by last name, Latin first
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    versions = {r["id"]: r["token_version"] for r in await Attendee.select(Attendee.id, Attendee.token_version).where(
        Attendee.event == event["id"])}
    scanner = tokens.OfflineVerifier(await event_key(event["id"], TEST_SECRET), versions)
    codes = [scanner.check(c) for c in decoded_qr_codes(pdf.content)]
    assert all(c.ok for c in codes)  # every badge's QR decodes to a token the door accepts
    assert sorted(c.claims.attendee_id for c in codes) == sorted(b.attendee_id for b in everyone_attending)

    fresh = await client.get(BADGES, params={"role": "attendee", "not_printed": "1"})
    assert '<strong id="badge-count">0</strong>' in fresh.text
    nothing = await post_form(client, f"{BADGES}/print", {"role": "attendee", "not_printed": "1"})
    assert nothing.status_code == 409

    zoe = await Attendee.select(Attendee.id).where(Attendee.first_name == "Zoë").first()
    again = await post_form(client, f"{BADGES}/reprint", {"person": f"attendee-{zoe['id']}", "layout": "badge-4x3"})
    assert again.status_code == 200 and len(text_runs(again.content)) == 1 and "Zoë" in text_runs(again.content)[0]
    reasons = await BadgePrint.select(BadgePrint.reason).where(BadgePrint.person_key == f"attendee-{zoe['id']}")
    assert sorted(r["reason"] for r in reasons) == ["batch", "reprint"]
    listing = await client.get(BADGES, params={"role": "attendee"})
    row = listing.text.split(f'id="badge-attendee-{zoe["id"]}"')[1].split("</tr>")[0]
    assert "(2×)" in row and "Reprint Zoë" in row
    unknown = await post_form(client, f"{BADGES}/reprint", {"person": "attendee-999999", "layout": "badge-4x3"})
    assert unknown.status_code == 404
    bad_layout = await post_form(client, f"{BADGES}/print", {"layout": "../../etc/passwd"})
    assert bad_layout.status_code == 422


async def test_check_in_staff_may_print_and_others_may_not(client, demo):
    assert (await client.get(BADGES)).status_code in (302, 303)
    await sign_in(client, "cme@example.org")
    assert (await client.get(BADGES)).status_code == 403
    assert (await client.get(WALK_IN)).status_code == 403
    client.cookies.clear()
    await sign_in(client, "checkin@example.org")
    assert (await client.get(BADGES)).status_code == 200
    assert (await client.get(WALK_IN)).status_code == 200


def walk_in_form(**changes) -> dict:
    values = {"form_token": "walk-in-1", "category": "member", "first_name": "Trần", "last_name": "Thị Phương",
              "email": "phuong@example.org", "credentials": "DO", "pronouns": "she/her",
              "institution": "Đại học Y Hà Nội", "city_region": "Hà Nội", "answer_first_meeting": "yes",
              "payment": "door", "amount": "", "reference": "Terminal 4471", "layout": "badge-4x3"}
    values.update(changes)
    return values


async def test_walk_in_pays_at_the_desk_in_one_transaction_and_gets_a_badge(client, demo):
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    # The meeting is under way: online registration has closed, the desk still registers.
    await Event.update({Event.registration_closes_at: clock.now() - timedelta(hours=1)}).where(Event.id == event["id"])
    await sign_in(client, "checkin@example.org")
    form = await client.get(WALK_IN)
    assert form.status_code == 200 and "ABS member" in form.text
    orders_before = await Order.count()

    wrong = await post_form(client, WALK_IN, walk_in_form(amount="1.00"))
    assert wrong.status_code == 422 and "The price is $" in wrong.text
    no_ref = await post_form(client, WALK_IN, walk_in_form(amount="1.00", reference=""))
    assert no_ref.status_code == 422 and "reference" in no_ref.text
    assert await Order.count() == orders_before  # nothing left behind holding a place

    price = wrong.text.split("The price is ")[1].split(";")[0]  # "$975.00"
    audit = []

    @extension.provides("staff_change")
    async def log(**change):
        audit.append(change)

    try:
        done = await post_form(client, WALK_IN, walk_in_form(amount=price))
    finally:
        extension._providers["staff_change"].remove(log)
    # The payment is audited by payments, the registration by the desk: both, with the reference.
    assert [(c["action"], c["after"]["reference"]) for c in audit] == [("manual_payment", "Terminal 4471"),
                                                                       ("walk_in_registered", "Terminal 4471")]
    assert done.status_code == 303, done.text
    attendee = await Attendee.select(Attendee.id, Attendee.order, Attendee.order.status.as_alias("status")).where(
        Attendee.email == "phuong@example.org").first()
    assert attendee["status"] == "confirmed"
    payment = await Payment.select().where(Payment.order == attendee["order"]).first()
    assert (payment["method"], payment["reference"], payment["status"]) == ("door", "Terminal 4471", "succeeded")
    assert payment["amount_cents"] == int(price.strip("$").replace(",", "").replace(".", ""))
    assert await BadgePrint.count().where(BadgePrint.reason == "walk_in") == 1

    shown = await client.get(done.headers["location"])
    assert shown.status_code == 200 and "Trần Thị Phương is registered" in shown.text
    assert "paid and confirmed" in shown.text
    badge = await client.get(f"{BADGES}/people/attendee-{attendee['id']}/badge.pdf", params={"layout": "badge-a6"})
    assert badge.status_code == 200
    runs = text_runs(badge.content)[0]
    assert "Trần" in runs and "Trần Thị Phương, DO" in runs and "Đại học Y Hà Nội" in runs
    key = await event_key(event["id"], TEST_SECRET)
    (code,) = decoded_qr_codes(badge.content)
    assert tokens.verify(code, key=key, current_version=1).claims.attendee_id == attendee["id"]

    twice = await post_form(client, WALK_IN, walk_in_form(amount=price))  # double click: same person, no new payment
    assert twice.status_code == 303 and twice.headers["location"] == done.headers["location"]
    assert await Payment.count().where(Payment.order == attendee["order"]) == 1

    comp = await post_form(client, WALK_IN, walk_in_form(form_token="walk-in-2", email="guest@example.org",
                                                          first_name="Guest", last_name="Speaker",
                                                          payment="complimentary", reference=""))
    assert comp.status_code == 303
    guest = await Attendee.select(Attendee.order.complimentary.as_alias("comp"),
                                  Attendee.order.status.as_alias("status")).where(
        Attendee.email == "guest@example.org").first()
    assert guest == {"comp": True, "status": "confirmed"}
    told = (await client.get(comp.headers["location"])).text  # no charge: the desk is not told it was paid
    assert "complimentary (no charge) and confirmed" in told and "paid" not in told.split('id="registered">')[1][:80]

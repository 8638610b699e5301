"""Several societies share one site: an event of a second organizer is shown, sold, confirmed,
receipted, certified and verified in that organizer's name and under its logo, never the default
organizer's (issue 30). The demo's national meeting is handed to a second society whose staff
reword it in their own name; then every page, e-mail (read from the real SMTP server) and PDF a
person meets is read for the default organizer's name and logo."""

from __future__ import annotations

import io
import re

import pytest
from piccolo.columns import Text, Varchar
from PIL import Image

from confops.accounts.tables import Organizer
from confops.cme import certificate_pdf, certificates
from confops.cme.batch import verify_url
from confops.events import branding
from confops.events.tables import Event, Session
from confops.registration.catalog import catalog_changed
from confops.registration.emails import queue_confirmation
from confops.registration.order_decision import order_token
from confops.registration.tables import AddOn, Category, Order, Question
from tests.cme.support import evaluated_and_claimed, pdf_text
from tests.support.smtp import body_html, body_text

SLUG = "abs-national-meeting"
NAME = "Nordic Association for Family Medicine"
DEFAULT_NAME = "American Balint Society"


def _png(colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fresh_logo_cache():
    branding._cache.clear()
    yield
    branding._cache.clear()


async def _reword(event_id: int) -> None:
    """What the second society's staff write about their event: their name, not the demo's."""
    for table, where in ((Event, Event.id == event_id), (Category, Category.event == event_id),
                         (AddOn, AddOn.event == event_id), (Question, Question.event == event_id),
                         (Session, Session.event == event_id)):
        words = [c for c in table._meta.columns if isinstance(c, Varchar | Text)]
        for row in await table.select(table.id, *words).where(where):
            changed = {c: row[c._meta.name].replace(DEFAULT_NAME, NAME).replace("ABS", "NAFM") for c in words
                       if isinstance(row[c._meta.name], str) and ("ABS" in row[c._meta.name] or DEFAULT_NAME in row[c._meta.name])}
            if changed:
                await table.update(changed).where(table.id == row["id"])
    await catalog_changed(event_id)  # as after any staff edit of the catalog


async def _second_society(app) -> tuple[bytes, bytes]:
    org = Organizer(slug="nafm", name=NAME, short_name="NAFM", address=f"{NAME}\nOslo\nNorway",
                    city="Oslo", country="NO", email="office@nafm.example.org")
    await org.save()
    ours, theirs = _png((30, 90, 200)), _png((200, 30, 30))
    await branding.set_logo("nafm", ours, app.state.storage)
    await branding.set_logo("abs", theirs, app.state.storage)
    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    await Event.update({Event.organizer: org.id}).where(Event.id == event["id"])
    await _reword(event["id"])
    return ours, theirs


def _in_our_name(text: str, where: str) -> None:
    assert DEFAULT_NAME not in text, f"{where} names the default organizer"
    assert not re.search(r"\bABS\b", text), f"{where} names the default organizer: {re.search(r'.{60}ABS.{60}', text, re.S)}"
    assert "/organizers/abs/" not in text, f"{where} shows the default organizer's logo"


async def test_a_second_organizers_event_is_in_its_own_name_everywhere(client, app, demo, deliver, inbox):
    ours, theirs = await _second_society(app)

    # its pages: the event, the registration form, the pay page of an unpaid order, an order
    unpaid = await Order.select(Order.id, Order.idempotency_key).where(
        (Order.status == "awaiting_payment") & (Order.event.slug == SLUG)).order_by(Order.id).first()
    paid = await Order.select(Order.id, Order.idempotency_key).where(
        (Order.buyer_email == "morgan@example.org") & (Order.event.slug == SLUG)).first()
    for url in (f"/events/{SLUG}", f"/events/{SLUG}/register",
                f"/orders/{unpaid['id']}/pay?token={order_token(unpaid['idempotency_key'])}",
                f"/orders/{paid['id']}?token={order_token(paid['idempotency_key'])}"):
        shown = await client.get(url)
        assert shown.status_code == 200, url
        _in_our_name(shown.text, url)
        assert NAME in shown.text and "/organizers/nafm/logo" in shown.text, url
    assert (await client.get("/organizers/nafm/logo")).content == ours

    # its confirmation e-mail: the name in the header, footer and sender, its logo inline
    inbox.clear()
    await queue_confirmation(paid["id"], token=order_token(paid["idempotency_key"]), dedupe="again")
    await deliver()
    [mail] = inbox.to("morgan@example.org")
    for part, text in (("HTML part", body_html(mail)), ("text part", body_text(mail)), ("sender", mail["From"])):
        _in_our_name(text, f"confirmation e-mail's {part}")
    assert NAME in body_html(mail) and NAME in mail["From"]
    [logo] = [p for p in mail.walk() if p["Content-ID"] == "<logo@confops>"]
    assert logo.get_content() == ours

    # its receipt (the invoice of an order paid) and its CME certificate, verified on its page
    receipt = await client.get(f"/orders/{paid['id']}/receipt.pdf?token={order_token(paid['idempotency_key'])}")
    assert receipt.status_code == 200
    _in_our_name(pdf_text(receipt.content), "receipt PDF")
    assert NAME in pdf_text(receipt.content)
    cert = await evaluated_and_claimed("morgan@example.org")
    pdf = await certificate_pdf.signed_certificate(cert, certificates.contents(cert),
                                                   verify_url("http://testserver.local", cert["serial"]))
    _in_our_name(pdf_text(pdf), "certificate PDF")
    assert NAME in pdf_text(pdf)
    verify = await client.get(f"/verify/{cert['serial']}")
    assert verify.status_code == 200
    _in_our_name(verify.text, "verify page")
    assert NAME in verify.text and "/organizers/nafm/logo" in verify.text


async def test_a_page_about_no_event_is_in_the_default_organizers_name(client, demo):
    shown = await client.get("/login")
    assert DEFAULT_NAME in shown.text and "/organizers/abs/logo" in shown.text


async def test_a_second_organizers_certificate_of_attendance_is_in_its_own_name(client, app, demo):
    """The online series handed to the second society, whose own registrar issues certificates
    of attendance after its meetings: the PDF, its signed credential and /verify (valid, then
    revoked) name that society and show its logo."""
    from confops.accounts.service import create_user
    from confops.attendance import service as attendance
    from confops.attendance.certificate_pdf import signed_attendance_certificate
    from confops.attendance.tables import AttendanceCertificate
    from confops.core.auth import Role
    from confops.payments.service import record_manual_payment
    from confops.registration.intake import AttendeeIn, OrderIn
    from confops.registration.orders import place_order
    from confops.registration.tables import Attendee
    from tests.cme.support import meeting_over, principal_of

    series = "online-residents-group"
    await _second_society(app)
    org = await Organizer.select(Organizer.id).where(Organizer.slug == "nafm").first()
    event = await Event.select(Event.id).where(Event.slug == series).first()
    await Event.update({Event.organizer: org["id"]}).where(Event.id == event["id"])
    await _reword(event["id"])
    await create_user("registrar@nafm.example.org", "Nora Registrar", roles=[("nafm", Role.registrar)])
    registrar = await principal_of("registrar@nafm.example.org")
    ids = []
    for n in (1, 2):
        placed = await place_order(series, OrderIn(
            buyer_name=f"Res{n} Ident", buyer_email=f"r{n}@example.org", idempotency_key=f"nafm-attendance-{n}",
            attendees=[AttendeeIn(category="resident", email=f"r{n}@example.org", first_name=f"Res{n}",
                                  last_name="Ident", credentials="MD", answers={"first_meeting": "yes"})]),
            hold_minutes=30, base_url="http://testserver.local")
        await record_manual_payment(placed.id, method="cheque", amount_cents=placed.total_cents,
                                    reference=f"chq {n}", recorded_by=None)
        ids.append((await Attendee.select(Attendee.id).where(Attendee.order == placed.id).first())["id"])
    await attendance.save_rule(registrar, series, {"sessions_required": "1", "offers_certificate": "1"})
    first = await Session.select().where(Session.event == event["id"]).order_by(Session.starts_at).first()
    for attendee_id in ids:
        await attendance.record(first, attendee_id, 90, "upload", None)
    await meeting_over(series)
    assert await attendance.issue_certificates(registrar, series) == 2
    valid, revoked = [await AttendanceCertificate.select().where(AttendanceCertificate.attendee == i).first()
                      for i in ids]
    await attendance.revoke_certificate(registrar, series, revoked["id"], "The roll call named the wrong person.")

    pdf = await signed_attendance_certificate(await attendance.certificate_content(valid["serial"]),
                                              "http://testserver.local")
    _in_our_name(pdf_text(pdf), "certificate of attendance PDF")
    assert NAME in pdf_text(pdf)
    for serial in (valid["serial"], revoked["serial"]):
        shown = await client.get(f"/verify/{serial}")
        assert shown.status_code == 200
        _in_our_name(shown.text, f"/verify/{serial}")
        assert NAME in shown.text and "/organizers/nafm/logo" in shown.text

"""Attendance lists uploaded per online session give the 6-of-8 certificate of attendance:
matched by e-mail, rejoins added up, the rest matched by hand; the PDF read back, the same
/verify page, downloaded by its learner only."""

from __future__ import annotations

import io
from datetime import timedelta
from urllib.parse import urlparse

from pypdf import PdfReader

from confops.attendance.tables import AttendanceCertificate
from confops.core import clock
from confops.events.tables import Event, Session
from confops.payments.service import record_manual_payment
from tests.registration.test_staff import sign_in
from tests.support.http import csrf_token, links_in, post_form
from tests.support.smtp import body_text

SLUG = "online-residents-group"
BOARD = "ABS leader certification: group hours"
BASE = f"/staff/events/{SLUG}/attendance"


async def _registrant(client, n: int) -> dict:
    body = {"buyer_name": f"Res{n} Ident", "buyer_email": f"r{n}@example.org", "idempotency_key": f"attendance-order-{n:04d}",
            "attendees": [{"category": "resident", "email": f"r{n}@example.org", "first_name": f"Res{n}",
                           "last_name": "Ident", "credentials": "MD", "answers": {"first_meeting": "yes"}}]}
    r = await client.post(f"/api/v1/events/{SLUG}/orders", json=body)
    assert r.status_code == 201, r.text
    order = r.json()
    await record_manual_payment(order["id"], method="cheque", amount_cents=order["total_cents"], reference=f"chq {n}",
                                recorded_by=None)
    return order


def _csv(rows: list[tuple[str, str, int]]) -> bytes:
    lines = ["Name (Original Name),User Email,Join Time,Leave Time,Duration (Minutes),Guest"]
    lines += [f"{name},{email},x,y,{minutes},No" for name, email, minutes in rows]
    return ("\n".join(lines) + "\n").encode()


async def _upload(client, session_id: int, data: bytes):
    return await client.post(f"{BASE}/sessions/{session_id}/upload", files={"file": ("participants.csv", data, "text/csv")},
                             data={"_csrf_token": csrf_token(client)})


async def test_uploaded_attendance_gives_the_six_of_eight_certificate(client, demo, deliver, inbox, tmp_path):
    event = await Event.select().where(Event.slug == SLUG).first()
    sessions = await Session.select().where(Session.event == event["id"]).order_by(Session.starts_at)
    assert len(sessions) == 8
    for n in (1, 2, 3):
        await _registrant(client, n)
    await sign_in(client, "registrar@example.org")
    r = await post_form(client, f"{BASE}/rule", {"sessions_required": "9", "offers_certificate": "1"}, page=BASE + "/")
    assert r.status_code == 422 and "from 1 to 8" in r.text
    r = await post_form(client, f"{BASE}/rule", {"sessions_required": "6", "offers_certificate": "1",
                                                 "board_credit": "x" * 201})
    assert r.status_code == 422 and 'id="board_credit-error"' in r.text
    r = await post_form(client, f"{BASE}/rule", {"sessions_required": "6", "offers_certificate": "1",
                                                 "board_credit": BOARD})
    assert r.status_code == 303
    r = await _upload(client, sessions[0]["id"], b"just some words\nno columns here\n")
    assert r.status_code == 422 and "e-mail" in r.text
    for i, s in enumerate(sessions):
        rows = []
        if i < 6:  # r1: six sessions; in the first one the connection dropped and they rejoined
            rows += [("Res1 Ident", "R1@Example.org", 40), ("Res1 Ident", "r1@example.org", 40)] if i == 0 else [
                ("Res1 Ident", "r1@example.org", 85)]
        if i < 5:
            rows.append(("Res2 Ident", "r2@example.org", 90))
        if i == 5:  # r2 joined from a personal address: matched by hand below
            rows.append(("Res2 (phone)", "res2.home@mail.example.net", 88))
        if i < 3:
            rows.append(("Res3 Ident", "r3@example.org", 90))
        if i == 6:
            rows.append(("Res3 Ident", "r3@example.org", 20))  # under half the session: not counted
        rows.append(("Guest Observer", "", 90))
        r = await _upload(client, s["id"], _csv(rows))
        assert r.status_code == 303, r.text
    page = await client.get(BASE + "/")
    assert "res2.home@mail.example.net" in page.text and "Guest Observer" in page.text
    import re

    form = re.search(r'action="(/staff/events/[^"]+/attendance/uploads/\d+/rows/\d+)"[^<]*<input[^>]*>'
                     r'<input type="hidden" name="row" value="([^"]*)">\s*'
                     r'<select name="attendee" aria-label="Registrant for Res2 \(phone\)">(.*?)</select>', page.text, re.S)
    r2_id = re.search(r'<option value="(\d+)">Ident, Res2', form.group(3)).group(1)
    r = await post_form(client, form.group(1), {"attendee": r2_id, "row": form.group(2)})
    assert r.status_code == 303
    r = await post_form(client, form.group(1), {"attendee": r2_id, "row": form.group(2)})  # the same row twice: refused, not counted twice
    assert r.status_code in (409, 422)
    page = await client.get(BASE + "/")
    assert re.findall(r"<tr><td>([^<]*)</td><td>(\d) of 8</td>", page.text) == [
        ("Res1 Ident", "6"), ("Res2 Ident", "6"), ("Res3 Ident", "3")]
    r = await post_form(client, f"{BASE}/certificates", {})
    assert r.status_code == 409 and "once the event has ended" in r.text
    with clock.frozen_at(event["ends_at"] + timedelta(hours=1)):
        r = await post_form(client, f"{BASE}/certificates", {})
        assert r.status_code == 303 and "2+certificates" in r.headers["location"]
        r = await post_form(client, f"{BASE}/certificates", {})
        assert "0+certificates" in r.headers["location"]  # issued once
    staff_page = await client.get(BASE + "/")
    assert re.findall(r"<tr><td>([^<]*)</td><td>\d of 8</td><td>[^<]*</td><td>[^<]*</td><td>([^<]*)</td>",
                      staff_page.text) == [("Res1 Ident", "granted"), ("Res2 Ident", "granted"), ("Res3 Ident", "—")]
    certs = await AttendanceCertificate.select().order_by(AttendanceCertificate.learner_name)
    assert all(c["board_credit"] == BOARD for c in certs)
    assert [(c["learner_name"], c["sessions_attended"], c["minutes_attended"]) for c in certs] == [
        ("Res1 Ident, MD", 6, 80 + 5 * 85), ("Res2 Ident, MD", 6, 5 * 90 + 88)]
    serial = next(c["serial"] for c in certs if c["learner_name"].startswith("Res1"))
    client.cookies.clear()
    verify = await client.get(f"/verify/{serial.lower()}")
    assert verify.status_code == 200 and "Res1 Ident, MD" in verify.text and "6 of 8 sessions" in verify.text
    assert f"board credit: {BOARD}" in verify.text
    assert (await client.get("/verify/ATT-00000-00000-00000-00000")).status_code == 404
    # the learner signs in with an e-mailed link and downloads it; nobody else can
    await post_form(client, "/login", {"email": "r1@example.org", "next": "/account/attendance"}, page="/login")
    await deliver()
    link = next(u for u in links_in(body_text(inbox.wait_for("r1@example.org")[-1])) if "/login/link/" in u)
    await post_form(client, urlparse(link).path, {}, page=urlparse(link).path)
    mine = await client.get("/account/attendance")
    assert serial in mine.text and f"board credit granted: {BOARD}" in mine.text
    assert "6 of 8 sessions attended; 6 needed for a certificate of attendance and board credit" in mine.text
    pdf = await client.get(f"/account/attendance/{serial}/certificate.pdf")
    assert pdf.status_code == 200 and pdf.headers["content-type"].startswith("application/pdf")
    text = PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text()
    for expected in ("Certificate of Attendance", "Res1 Ident, MD", "Monthly Online Balint Group for Residents",
                     "6 of 8 sessions", "8.5 hours", serial, "American Balint Society", f"Board credit granted: {BOARD}"):
        assert expected in text, expected
    assert f"testserver.local/v/{serial}" in text  # the whole short address, never cut
    # signed like a CME certificate: a reader's PDF tool sees the organizer, and any edit
    from tests.documents.test_pdf_signing import _pdfsig, pyhanko_status

    status = await pyhanko_status(pdf.content)
    assert status.intact and status.valid and status.coverage.name == "ENTIRE_FILE"
    assert "Signature is Valid." in _pdfsig(pdf.content, tmp_path)
    middle = len(pdf.content) // 3  # inside the signed drawing, well before the signature itself
    edited = pdf.content[:middle] + bytes([pdf.content[middle] ^ 1]) + pdf.content[middle + 1:]
    assert "Signature is Valid." not in _pdfsig(edited, tmp_path)
    other = next(c["serial"] for c in certs if c["learner_name"].startswith("Res2"))
    assert (await client.get(f"/account/attendance/{other}/certificate.pdf")).status_code == 404

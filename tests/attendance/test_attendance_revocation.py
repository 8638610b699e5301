"""A certificate of attendance carries the signed Open Badges credential CME's certificates get
(one signer, one status list), and staff revoke one from the attendance page: a reason is
required, the learner is e-mailed, /verify says revoked, the status list bit is set and an
outside verifier hears "revoked"."""

from __future__ import annotations

import json
from datetime import timedelta

from confops.attendance.tables import AttendanceCertificate, AttendanceCredential
from confops.backoffice.tables import AuditEntry
from confops.core import clock
from confops.events.tables import Event, Session
from tests.attendance.test_attendance_certificates import BASE, SLUG, _csv, _registrant, _upload
from tests.cme.test_credentials import (
    credential_token,
    independently_verified,
    revoked_bit,
    verdict_of,
)
from tests.registration.test_staff import sign_in
from tests.support.http import post_form
from tests.support.smtp import body_text


async def test_a_certificate_of_attendance_is_a_signed_credential_and_staff_revoke_it(client, demo, deliver, inbox):
    event = await Event.select().where(Event.slug == SLUG).first()
    first = await Session.select().where(Session.event == event["id"]).order_by(Session.starts_at).first()
    await _registrant(client, 7)
    await _registrant(client, 8)
    await sign_in(client, "registrar@example.org")
    r = await post_form(client, f"{BASE}/rule", {"sessions_required": "1", "offers_certificate": "1"}, page=BASE + "/")
    assert r.status_code == 303
    r = await _upload(client, first["id"], _csv([("Res7 Ident", "r7@example.org", 90), ("Res8 Ident", "r8@example.org", 90)]))
    assert r.status_code == 303
    with clock.frozen_at(event["ends_at"] + timedelta(hours=1)):
        assert (await post_form(client, f"{BASE}/certificates", {})).status_code == 303
        cert = await AttendanceCertificate.select().where(AttendanceCertificate.learner_name == "Res7 Ident, MD").first()
        other = await AttendanceCertificate.select().where(AttendanceCertificate.learner_name == "Res8 Ident, MD").first()

        # signed by the same issuer as CME certificates, checked by an outside library
        token = await credential_token(client, cert["serial"])
        claims = await independently_verified(client, token)
        subject = claims["credentialSubject"]
        assert subject["achievement"]["achievementType"] == "CertificateOfCompletion"
        assert "Monthly Online Balint Group" in subject["achievement"]["name"]
        assert "Attended 1 of 8 sessions" in subject["achievement"]["criteria"]["narrative"]
        assert "r7@example.org" not in json.dumps(claims)  # the e-mail only as a salted hash
        entry = claims["credentialStatus"]
        assert int(entry["statusListIndex"]) % 2 == 1  # attendance's half of the one list
        assert entry["statusListCredential"].endswith("/credentials/status/abs")
        assert (await verdict_of(client, credential=token))["verdict"] == "valid"
        assert not await revoked_bit(client, entry)
        assert await AttendanceCredential.count() == 2
        page = await client.get(f"/verify/{cert['serial']}")
        assert "Open Badges credential" in page.text and 'id="own-credential"' in page.text

        # revoking: refused without a reason, by another role, for another event's id
        r = await post_form(client, f"{BASE}/certificates/{cert['id']}/revoke", {"reason": "  "}, page=BASE + "/")
        assert r.status_code == 422 and 'id="reason-error"' in r.text
        r = await post_form(client, f"/staff/events/balint-theme-day/attendance/certificates/{cert['id']}/revoke",
                            {"reason": "wrong event"}, page="/staff/events/balint-theme-day/attendance/")
        assert r.status_code == 404
        assert (await AttendanceCertificate.select().where(AttendanceCertificate.id == cert["id"]).first())[
            "revoked_at"] is None
        client.cookies.clear()
        await sign_in(client, "checkin@example.org")
        r = await post_form(client, f"{BASE}/certificates/{cert['id']}/revoke", {"reason": "no"}, page="/staff")
        assert r.status_code == 403
        client.cookies.clear()
        await sign_in(client, "registrar@example.org")

        inbox.clear()
        r = await post_form(client, f"{BASE}/certificates/{cert['id']}/revoke",
                            {"reason": "The roll call was entered for the wrong <person>."}, page=BASE + "/")
        assert r.status_code == 303
        row = await AttendanceCertificate.select().where(AttendanceCertificate.id == cert["id"]).first()
        assert row["revoked_at"] is not None and row["revoked_reason"].startswith("The roll call")
        assert await AuditEntry.exists().where(AuditEntry.action == "attendance_certificate_revoked")
        r = await post_form(client, f"{BASE}/certificates/{cert['id']}/revoke", {"reason": "again"}, page=BASE + "/")
        assert r.status_code == 409
        await deliver()
        [mail] = [m for m in inbox.to("r7@example.org") if "revoked" in m["Subject"]]
        assert "wrong <person>" in body_text(mail) and cert["serial"] in body_text(mail)
        staff_page = await client.get(BASE + "/")
        assert "wrong &lt;person&gt;" in staff_page.text and "<person>" not in staff_page.text

        client.cookies.clear()
        page = await client.get(f"/verify/{cert['serial']}")
        assert "Revoked" in page.text and "Valid" not in page.text.split('id="status"')[1][:80]
        assert await revoked_bit(client, entry)
        assert (await verdict_of(client, credential=token))["verdict"] == "revoked"
        # the other learner's credential is untouched
        other_token = await credential_token(client, other["serial"])
        assert (await verdict_of(client, credential=other_token))["verdict"] == "valid"

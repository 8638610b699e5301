"""Verifiable certificates over HTTP, on both engines, checked the way a board or an employer
would: with a second JOSE library (jwcrypto) given only what the site publishes (JWKS, DID
document, status list), the standard library for the revocation bits, the Open Badges 3.0 JSON
schema, and pdfsig/pyHanko for the PDF. Then every attack the issue lists, each with a verdict."""

from __future__ import annotations

import base64
import gzip
import hashlib
import json
import os
from datetime import UTC, timedelta
from urllib.parse import urlparse

import pytest
from jwcrypto import jwk
from jwcrypto import jws as jwcrypto_jws

from confops.core import clock
from tests.cme.support import SLUG, evaluated_and_claimed, principal_of
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import post_form
from tests.support.smtp import body_text

DID = "did:web:testserver.local"
SCHEMA = os.path.join(os.path.dirname(__file__), "ob_v3p0_achievementcredential_schema.json")


def _b64(part: str) -> bytes:
    return base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))


def _enc(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


async def independently_verified(client, token: str) -> dict:
    """The claims, if jwcrypto accepts the signature with the key the site publishes for its kid."""
    keys = jwk.JWKSet.from_json((await client.get("/.well-known/jwks.json")).text)
    header = json.loads(_b64(token.split(".")[0]))
    key = keys.get_key(header["kid"])
    assert key is not None, f"{header['kid']} is not in the published JWKS"
    signed = jwcrypto_jws.JWS()
    signed.deserialize(token)
    signed.verify(key, alg=header["alg"])
    return json.loads(signed.payload)


async def credential_token(client, serial: str) -> str:
    r = await client.get(f"/credentials/{serial}")
    assert r.status_code == 200, r.text
    envelope = r.json()
    assert envelope["type"] == "EnvelopedVerifiableCredential"
    assert envelope["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert envelope["id"].startswith("data:application/vc+jwt,")
    return envelope["id"].split(",", 1)[1]


async def revoked_bit(client, entry: dict) -> bool:
    """Read the bit from the published list with jwcrypto and gzip, as an outside verifier."""
    r = await client.get(urlparse(entry["statusListCredential"]).path)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/vc+jwt")
    body = await independently_verified(client, r.text)
    assert body["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert body["id"] == entry["statusListCredential"] and body["issuer"]["id"] == DID
    subject = body["credentialSubject"]
    assert subject["type"] == "BitstringStatusList" and subject["statusPurpose"] == "revocation"
    raw = gzip.decompress(_b64(subject["encodedList"][1:]))
    index = int(entry["statusListIndex"])
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


async def verdict_of(client, **body) -> dict:
    r = await client.post("/api/v1/credentials/verify", json=body)
    assert r.status_code == 200, r.text
    return r.json()


async def claim_again(email: str, credit: str) -> dict:
    from confops.cme import claims
    from confops.registration.tables import Attendee

    attendee = await Attendee.select(Attendee.id).where((Attendee.email == email) & (Attendee.event.slug == SLUG)).first()
    return await claims.claim(await principal_of(email), attendee["id"], credit=credit, credit_type="ama_pra_1",
                              attested=True)


def schema_of_open_badges_3() -> dict:
    """The 1EdTech AchievementCredential schema vendored beside this file (source, licence:
    ob_v3p0_achievementcredential_schema.NOTICE.md). That revision predates the spec's move to
    VC Data Model 2.0, which renamed issuanceDate to validFrom and expirationDate to validUntil
    (the 3.0.3 context defines only the new names); the rename is the only change made here."""
    with open(SCHEMA, encoding="utf-8") as f:
        text = f.read()
    return json.loads(text.replace('"issuanceDate"', '"validFrom"').replace('"expirationDate"', '"validUntil"'))


async def test_an_issued_certificate_is_an_open_badge_anyone_verifies_with_published_keys_only(client, demo):
    from jsonschema import Draft201909Validator

    cert = await evaluated_and_claimed("morgan@example.org", credit="3.5")
    token = await credential_token(client, cert["serial"])
    header = json.loads(_b64(token.split(".")[0]))
    assert header == {"alg": "Ed25519", "typ": "vc+jwt", "cty": "vc", "kid": f"{DID}#abs-credentials-1"}

    did = (await client.get("/.well-known/did.json")).json()
    assert did["id"] == DID and header["kid"] in did["assertionMethod"]
    [method] = [m for m in did["verificationMethod"] if m["id"] == header["kid"]]
    assert method["publicKeyJwk"]["crv"] == "Ed25519" and method["controller"] == DID

    c = await independently_verified(client, token)
    assert c["@context"] == ["https://www.w3.org/ns/credentials/v2",
                             "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert c["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert c["issuer"] == {"id": DID, "type": ["Profile"], "name": "American Balint Society",
                           "url": "http://testserver.local"}
    assert c["iss"] == DID and c["jti"] == c["id"] == f"http://testserver.local/credentials/{cert['serial']}"
    assert c["validFrom"] == cert["issued_at"].astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    subject = c["credentialSubject"]
    email, name = subject["identifier"]
    assert email["identityType"] == "emailAddress" and email["hashed"] is True
    assert email["identityHash"] == "sha256$" + hashlib.sha256(
        ("morgan@example.org" + email["salt"]).encode()).hexdigest()
    assert name == {"type": "IdentityObject", "identityHash": "Morgan Reyes, MD", "identityType": "name",
                    "hashed": False}
    assert "morgan@example.org" not in json.dumps(c)  # the e-mail only ever travels hashed
    assert subject["creditsEarned"] == 3.5
    achievement = subject["achievement"]
    assert achievement["achievementType"] == "Certificate" and achievement["creditsAvailable"] == 14.0
    assert "designates this live activity for a maximum of 14.00" in achievement["criteria"]["narrative"]
    assert "AMA PRA Category 1 Credit(s)™" in achievement["description"]
    assert c["credentialStatus"]["type"] == "BitstringStatusListEntry"
    assert c["credentialStatus"]["statusListCredential"] == "http://testserver.local/credentials/status/abs"
    errors = sorted(Draft201909Validator(schema_of_open_badges_3()).iter_errors(c), key=str)
    assert not errors, [e.message for e in errors]
    assert await revoked_bit(client, c["credentialStatus"]) is False

    result = await verdict_of(client, credential=token)
    assert result["verdict"] == "valid" and result["ok"] is True
    assert result["facts"]["name"] == "Morgan Reyes, MD" and result["facts"]["credits"] == 3.5
    envelope = (await client.get(f"/credentials/{cert['serial']}")).json()
    assert (await verdict_of(client, credential=envelope))["verdict"] == "valid"
    assert (await client.get(f"/credentials/{cert['serial']}/vc.jwt")).text == token

    # the learner gets it from their account; the verify page offers it and checks it in the browser
    await sign_in(client, "morgan@example.org")
    account = await client.get("/account/cme")
    assert f'/credentials/{cert["serial"]}?download=1' in account.text
    assert f'/verify/{cert["serial"]}#wallet' in account.text
    page = await client.get(f"/verify/{cert['serial']}")
    assert 'id="own-credential"' in page.text and token in page.text
    assert "data:image/png;base64," in page.text and "/static/credential-verify.js" in page.text
    assert "<script>" not in page.text  # no inline script: the page works under a strict CSP


async def test_revoking_or_superseding_a_certificate_flips_its_bit_in_the_published_list(client, demo):
    first = await evaluated_and_claimed("morgan@example.org", credit="3.5")
    first_token = await credential_token(client, first["serial"])
    first_status = (await independently_verified(client, first_token))["credentialStatus"]
    second = await claim_again("morgan@example.org", credit="3")  # a corrected claim re-issues
    assert second["serial"] != first["serial"]
    assert await revoked_bit(client, first_status) is True
    assert (await verdict_of(client, credential=first_token))["verdict"] == "superseded"

    token = await credential_token(client, second["serial"])
    status = (await independently_verified(client, token))["credentialStatus"]
    assert status["statusListIndex"] != first_status["statusListIndex"]
    assert await revoked_bit(client, status) is False and (await verdict_of(client, credential=token))["ok"]

    await staff_sign_in(client, "cme@example.org")
    r = await post_form(client, f"/staff/events/{SLUG}/cme/certificates/{second['id']}/revoke",
                        {"reason": "Attendance record was wrong"}, page=f"/staff/events/{SLUG}/cme/certificates")
    assert r.status_code == 303
    assert await revoked_bit(client, status) is True
    result = await verdict_of(client, credential=token)
    assert result["verdict"] == "revoked" and not result["ok"] and "revoked" in result["detail"]
    # the signature itself still holds: jwcrypto accepts it, only the list says no
    assert (await independently_verified(client, token))["id"].endswith(second["serial"])


async def test_a_revoked_certificate_is_not_reissued_by_claiming_again(client, demo, deliver, inbox):
    """The attack: after staff revoked the certificate, the learner sent the same claim again and
    got a new valid serial. Now only a coordinator reinstates, with a reason, as a new record."""
    from confops.cme.tables import Certificate
    from confops.registration.tables import Attendee

    cert = await evaluated_and_claimed("morgan@example.org", credit="3.5")
    status = (await independently_verified(client, await credential_token(client, cert["serial"])))["credentialStatus"]
    await staff_sign_in(client, "cme@example.org")
    certs = f"/staff/events/{SLUG}/cme/certificates"
    r = await post_form(client, f"{certs}/{cert['id']}/revoke", {"reason": "Signed in for a colleague"}, page=certs)
    assert r.status_code == 303 and await revoked_bit(client, status) is True
    assert await deliver() >= 1
    mail = inbox.wait_for("morgan@example.org")[-1]
    assert "revoked" in mail["Subject"] and "Signed in for a colleague" in body_text(mail)

    morgan = await Attendee.select().where((Attendee.email == "morgan@example.org") & (Attendee.event.slug == SLUG)).first()
    await sign_in(client, "morgan@example.org")
    for credit in ("3.5", "3"):  # the same claim, or a corrected one
        r = await post_form(client, f"/account/cme/{morgan['id']}/claim",
                            {"credit": credit, "credit_type": "ama_pra_1", "attest": "on"},
                            page=f"/account/cme/{morgan['id']}")
        assert r.status_code == 422 and "only the CME coordinator can reinstate it" in r.text
    assert await Certificate.count().where(Certificate.email == "morgan@example.org") == 1
    assert (await client.get(f"/api/v1/certificates/{cert['serial']}")).json()["status"] == "revoked"

    await staff_sign_in(client, "cme@example.org")
    r = await post_form(client, f"{certs}/{cert['id']}/reinstate", {"reason": ""}, page=certs)
    assert r.status_code == 422
    r = await post_form(client, f"{certs}/{cert['id']}/reinstate", {"reason": "It was her own badge after all"})
    assert r.status_code == 303
    again = await post_form(client, f"{certs}/{cert['id']}/reinstate", {"reason": "twice"})
    assert again.status_code == 409
    old = (await client.get(f"/api/v1/certificates/{cert['serial']}")).json()
    assert old["status"] == "revoked" and old["superseded_by"]
    new = (await client.get(f"/api/v1/certificates/{old['superseded_by']}")).json()
    assert new["status"] == "valid" and new["credit"].startswith("3.50")
    token = await credential_token(client, new["serial"])
    assert (await verdict_of(client, credential=token))["ok"] and await revoked_bit(client, status) is True


async def test_every_bad_input_gets_a_clear_verdict_and_never_a_500(client, demo):
    cert = await evaluated_and_claimed("morgan@example.org", credit="3.5")
    token = await credential_token(client, cert["serial"])
    head, body, signature = token.split(".")
    claims = json.loads(_b64(body))

    # a modified field, the signature kept
    claims_forged = {**claims, "credentialSubject": {**claims["credentialSubject"], "creditsEarned": 14.0}}
    forged = f"{head}.{_enc(json.dumps(claims_forged).encode())}.{signature}"
    assert (await verdict_of(client, credential=forged))["verdict"] == "tampered"
    page = await client.post("/verify", data={"credential": forged})  # the page, without JavaScript
    assert page.status_code == 200 and "Tampered: the signature does not match" in page.text

    # signed by another key: under our key id it fails the signature, under its own it is unknown
    stranger = jwk.JWK.generate(kty="OKP", crv="Ed25519")
    for kid, expected in ((json.loads(_b64(head))["kid"], "tampered"), ("did:web:evil.example#k", "unknown_issuer")):
        other = jwcrypto_jws.JWS(json.dumps(claims_forged))
        other.add_signature(stranger, alg="Ed25519", protected=json.dumps({"alg": "Ed25519", "kid": kid}))
        assert (await verdict_of(client, credential=other.serialize(compact=True)))["verdict"] == expected
    unsigned_alg = f"{_enc(json.dumps({'alg': 'none', 'kid': json.loads(_b64(head))['kid']}).encode())}.{body}."
    assert (await verdict_of(client, credential=unsigned_alg))["verdict"] in ("tampered", "not_a_credential")

    # garbage, and credential data without its signature
    for junk in ("hello", "a.b.c", "{}", "[1, 2]", "%PDF-1.7 nothing", "\x00\xff" * 50, "eyJ.eyJ.x" * 3):
        result = await verdict_of(client, credential=junk)
        assert result["verdict"] in ("not_a_credential", "unsigned"), (junk, result)
    assert (await verdict_of(client, credential=claims))["verdict"] == "unsigned"
    r = await client.post("/api/v1/credentials/verify", content=os.urandom(4096),
                          headers={"content-type": "application/octet-stream"})
    assert r.status_code == 200 and r.json()["verdict"] == "not_a_credential"
    r = await client.post("/api/v1/credentials/verify", content=b"{not json", headers={"content-type": "application/json"})
    assert r.status_code == 200 and r.json()["verdict"] == "not_a_credential"
    r = await client.post("/api/v1/credentials/verify", json={"credential": ""})
    assert r.status_code == 422 and r.json()["verdict"] == "not_a_credential"

    # a 20 MB upload: refused with the limit, as JSON and on the page
    big = b"x" * (20 * 1024 * 1024)
    r = await client.post("/api/v1/credentials/verify", files={"file": ("huge.pdf", big, "application/pdf")})
    assert r.status_code == 413 and r.json()["verdict"] == "too_large"
    r = await client.post("/verify", files={"file": ("huge.pdf", big, "application/pdf")})
    assert r.status_code == 413 and "File too large" in r.text and "At most 5 MB" in r.text

    # an expired status list: a verifier holding last week's list is told it cannot confirm
    status = claims["credentialStatus"]
    old_list = (await client.get(urlparse(status["statusListCredential"]).path)).text
    assert (await verdict_of(client, credential=token, status_list=old_list))["verdict"] == "valid"
    with clock.frozen_at(clock.now() + timedelta(days=8)):
        result = await verdict_of(client, credential=token, status_list=old_list)
    assert result["verdict"] == "status_list_expired" and "validUntil" in result["detail"]
    # a list signed by someone else is not ours
    fake = jwcrypto_jws.JWS(json.dumps({"id": status["statusListCredential"]}))
    fake.add_signature(stranger, alg="Ed25519", protected=json.dumps({"alg": "Ed25519", "kid": "did:web:evil#k"}))
    assert (await verdict_of(client, credential=token, status_list=fake.serialize(compact=True)))["verdict"] == \
        "unknown_issuer"


async def test_the_certificate_pdf_is_signed_with_the_published_key_and_any_edit_shows(client, demo, tmp_path):
    from cryptography import x509

    from tests.documents.test_pdf_signing import _pdfsig, pyhanko_status

    cert = await evaluated_and_claimed("morgan@example.org", credit="3.5")
    await sign_in(client, "morgan@example.org")
    pdf = (await client.get(f"/account/cme/certificates/{cert['serial']}")).content
    report = _pdfsig(pdf, tmp_path)
    assert "Signature is Valid." in report and "Total document signed" in report, report
    assert "American Balint Society" in report
    status = await pyhanko_status(pdf)
    assert status.intact and status.valid and status.coverage.name == "ENTIRE_FILE"
    # the signing certificate's key is the P-256 key the site publishes
    public = x509.load_der_x509_certificate(status.signing_cert.dump()).public_key().public_numbers()
    published = [k for k in (await client.get("/.well-known/jwks.json")).json()["keys"] if k.get("crv") == "P-256"]
    assert [(int.from_bytes(_b64(k["x"]), "big"), int.from_bytes(_b64(k["y"]), "big")) for k in published] == \
        [(public.x, public.y)]

    r = await client.post("/api/v1/credentials/verify", files={"file": ("cert.pdf", pdf, "application/pdf")})
    assert r.json()["verdict"] == "valid" and r.json()["form"] == "pdf"
    assert r.json()["facts"]["serial"] == cert["serial"]
    changed = pdf.replace(b"3.50 AMA", b"9.50 AMA", 1)
    assert changed != pdf
    r = await client.post("/api/v1/credentials/verify", files={"file": ("cert.pdf", changed, "application/pdf")})
    assert r.json()["verdict"] == "tampered"
    assert "Signature is Valid." not in _pdfsig(changed, tmp_path)

    page = await client.post("/verify", files={"file": ("cert.pdf", changed, "application/pdf")})
    assert page.status_code == 200 and "Tampered" in page.text

    await staff_sign_in(client, "cme@example.org")
    await post_form(client, f"/staff/events/{SLUG}/cme/certificates/{cert['id']}/revoke", {"reason": "Wrong"},
                    page=f"/staff/events/{SLUG}/cme/certificates")
    r = await client.post("/api/v1/credentials/verify", files={"file": ("cert.pdf", pdf, "application/pdf")})
    assert r.json()["verdict"] == "revoked"


async def test_rotated_keys_stay_published_and_old_credentials_keep_verifying(client, demo):
    from confops.cme import issuer_keys
    from confops.cme.certificate_pdf import signer_for_event
    from confops.cme.credential_tables import IssuerKey

    before = await evaluated_and_claimed("morgan@example.org", credit="3.5")
    old_token = await credential_token(client, before["serial"])
    old_signer = await signer_for_event(before["event"])
    assert await issuer_keys.rotate("abs") == ["abs-credentials-2", "abs-pdf-2"]
    after = await evaluated_and_claimed("kai@example.org", credit="1")
    new_token = await credential_token(client, after["serial"])
    assert json.loads(_b64(new_token.split(".")[0]))["kid"] == f"{DID}#abs-credentials-2"
    assert (await signer_for_event(after["event"])).certificate_der != old_signer.certificate_der

    kids = {k["kid"] for k in (await client.get("/.well-known/jwks.json")).json()["keys"]}
    assert kids == {f"{DID}#abs-{p}-{g}" for p in ("credentials", "pdf") for g in (1, 2)}
    did = (await client.get("/.well-known/did.json")).json()
    assert {m["id"] for m in did["verificationMethod"]} == kids
    for token in (old_token, new_token):
        await independently_verified(client, token)
        assert (await verdict_of(client, credential=token))["verdict"] == "valid"

    # sealed: no private key in the database, and the rows open only with the site's secret key
    rows = await IssuerKey.select()
    assert all(r["key_sealed"] and "PRIVATE" not in r["key_sealed"] for r in rows)
    from confops.core import sealing
    with pytest.raises(sealing.InvalidTag):
        sealing.unseal(rows[0]["key_sealed"], secret_key="another-secret-key-of-at-least-32-chars",
                       info=b"confops/cme/issuer-key/v1", aad=rows[0]["key_id"].encode())


async def test_unknown_lists_and_credentials_are_not_found(client, demo):
    assert (await client.get("/credentials/status/no-such-organizer")).status_code == 404
    assert (await client.get("/credentials/CME-AAAAA-BBBBB-CCCCC-DDDDD")).status_code == 404
    assert (await client.get("/credentials/nonsense/vc.jwt")).status_code == 404
    page = await client.get("/verify")
    assert page.status_code == 200 and 'id="issuer-material"' in page.text and DID in page.text


def test_the_rotate_command_keeps_the_retired_keys_published(tmp_path):
    import sqlite3

    from tests.test_cli import confops

    env = {"CONFOPS_VAR_DIR": str(tmp_path), "CONFOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "CONFOPS_ENV": "development"}
    assert confops("migrate", env=env).returncode == 0 and confops("demo", env=env).returncode == 0
    first = confops("rotate-issuer-keys", "abs", env=env)
    assert first.returncode == 0 and "abs-credentials-1, abs-pdf-1" in first.stdout, first.stderr
    second = confops("rotate-issuer-keys", "abs", env=env)
    assert "abs-credentials-2, abs-pdf-2" in second.stdout
    rows = sqlite3.connect(tmp_path / "cli.db").execute(
        "SELECT key_id, retired_at IS NOT NULL FROM cme_issuer_key ORDER BY id").fetchall()
    assert rows == [("abs-credentials-1", 1), ("abs-pdf-1", 1), ("abs-credentials-2", 0), ("abs-pdf-2", 0)]
    missing = confops("rotate-issuer-keys", "nobody", env=env)
    assert missing.returncode != 0 and "no organizer" in missing.stderr


async def test_requests_at_once_make_one_key_and_one_credential(client, demo):
    import asyncio

    from confops.cme import credentials, issuer_keys
    from confops.cme.credential_tables import CmeCredential, IssuerKey
    from confops.cme.tables import Certificate

    cert = await evaluated_and_claimed("morgan@example.org", credit="3.5")
    organizer = (await IssuerKey.select(IssuerKey.organizer).first())["organizer"]
    keys = await asyncio.gather(*(issuer_keys.active_key(organizer, issuer_keys.PDF) for _ in range(5)))
    assert {k.key_id for k in keys} == {"abs-pdf-1"}
    assert await IssuerKey.count().where(IssuerKey.purpose == issuer_keys.PDF) == 1
    assert len({k.certificate_der for k in keys}) == 1  # every PDF signed with the stored key

    await CmeCredential.delete().where(CmeCredential.certificate == cert["id"])
    row = await Certificate.select().where(Certificate.id == cert["id"]).first()
    made = await asyncio.gather(*(credentials.ensure(row) for _ in range(5)))
    assert len({m["id"] for m in made}) == 1 and len({m["jwt"] for m in made}) == 1
    assert await CmeCredential.count().where(CmeCredential.certificate == cert["id"]) == 1

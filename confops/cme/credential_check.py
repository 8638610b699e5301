"""Checking what someone brings: a credential (VC-JWT, or its JSON envelope) or a certificate
PDF, against the keys this site publishes. Every input gets a verdict a person can act on;
nothing a stranger uploads raises. The browser check on the verify page (static
credential-verify.js) follows the same steps against the same published keys."""

from __future__ import annotations

import base64
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime

from cryptography.hazmat.primitives import serialization
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import OKPKey

from confops.accounts.tables import Organizer
from confops.cme import issuer_keys, status_list
from confops.cme.credentials import ALG, MEDIA_TYPE, revoked_indexes, status_list_url
from confops.cme.tables import Certificate, CertificateStatus
from confops.core import clock
from confops.documents.pdf_signing import verify_pdf

MAX_BYTES = 5 * 1024 * 1024
_COMPACT = re.compile(r"^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$")
_SERIAL = re.compile(rb"Serial (CME(?:-[0-9A-Z]{5}){4})")

TITLES = {
    "valid": "Valid",
    "revoked": "Revoked",
    "superseded": "Replaced by a newer certificate",
    "tampered": "Tampered: the signature does not match",
    "unknown_issuer": "Unknown issuer",
    "not_yet_valid": "Not valid yet",
    "expired": "Expired",
    "status_list_expired": "Revocation status cannot be confirmed",
    "unsigned": "Not signed",
    "not_a_credential": "Not a credential or certificate",
    "too_large": "File too large",
}


@dataclass
class Verdict:
    verdict: str
    detail: str
    form: str = ""  # credential or pdf
    title: str = ""
    facts: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.title = self.title or TITLES[self.verdict]

    @property
    def ok(self) -> bool:
        return self.verdict == "valid"

    def as_dict(self) -> dict:
        return {**asdict(self), "ok": self.ok}


def _b64json(part: str) -> dict:
    value = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    if not isinstance(value, dict):
        raise ValueError("not a JSON object")
    return value


def token_from(text: str) -> str | None:
    """The compact JWT in what was pasted: the JWT itself, a data: URL, or the JSON envelope."""
    text = text.strip()
    if text.startswith(f"data:{MEDIA_TYPE},"):
        text = text.split(",", 1)[1]
    if _COMPACT.match(text):
        return text
    try:
        value = json.loads(text)
    except ValueError:
        return None
    if isinstance(value, dict) and isinstance(value.get("id"), str) and value["id"].startswith(f"data:{MEDIA_TYPE},"):
        token = value["id"].split(",", 1)[1]
        return token if _COMPACT.match(token) else None
    return None


def _facts(c: dict) -> dict:
    subject = c.get("credentialSubject") if isinstance(c.get("credentialSubject"), dict) else {}
    achievement = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    names = [i.get("identityHash") for i in subject.get("identifier") or []
             if isinstance(i, dict) and i.get("identityType") == "name"]
    issuer = c.get("issuer") if isinstance(c.get("issuer"), dict) else {}
    return {"name": names[0] if names else "", "achievement": achievement.get("name", ""),
            "description": c.get("description", ""), "credits": subject.get("creditsEarned"),
            "issuer": issuer.get("name", ""), "valid_from": c.get("validFrom", ""), "id": c.get("id", "")}


async def _key(kid: str, did: str) -> OKPKey | None:
    if not isinstance(kid, str) or not kid.startswith(did + "#"):
        return None
    row = await issuer_keys.by_key_id(kid[len(did) + 1:])
    if not row or row["purpose"] != issuer_keys.CREDENTIALS:
        return None
    return OKPKey.import_key(row["jwk"])


async def _verified(token: str, did: str) -> tuple[str, dict | None]:
    """("ok", claims), or a verdict for a token whose issuer or signature does not hold."""
    try:
        header = _b64json(token.split(".")[0])
    except ValueError:
        return "not_a_credential", None
    key = await _key(header.get("kid"), did)
    if key is None:
        return "unknown_issuer", None
    if header.get("alg") != ALG:
        return "tampered", None
    try:
        claims = json.loads(jws.deserialize_compact(token, key, algorithms=[ALG]).payload)
    except (JoseError, ValueError):
        return "tampered", None
    if not isinstance(claims, dict):
        return "not_a_credential", None
    return "ok", claims


def _when(value) -> datetime | None:
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


async def _revoked_by_list(entry: dict, supplied_list: str | None, did: str) -> str | None:
    """None when the bit is clear; else the verdict. A list the caller supplies is checked as a
    verifier offline would: signed by us, and not past its validUntil."""
    url = entry.get("statusListCredential", "")
    try:
        index = int(entry.get("statusListIndex", ""))
    except ValueError:
        return "tampered"
    if supplied_list:
        outcome, body = await _verified(supplied_list.strip(), did)
        if outcome != "ok" or body.get("id") != url:
            return "status_list_expired" if outcome == "ok" else outcome
        until = _when(body.get("validUntil"))
        if until is None or until < clock.now():
            return "status_list_expired"
        try:
            bits = status_list.decode(body["credentialSubject"]["encodedList"])
            return "revoked" if status_list.is_set(bits, index) else None
        except (KeyError, TypeError, ValueError):
            return "tampered"
    slug = url.rsplit("/", 1)[-1]
    organizer = await Organizer.select(Organizer.id).where(Organizer.slug == slug).first()
    if not organizer or url != status_list_url(issuer_keys.CONFIG.base_url, slug):
        return "unknown_issuer"
    return "revoked" if index in set(await revoked_indexes(organizer["id"])) else None


async def check_token(token: str, supplied_list: str | None = None) -> Verdict:
    did = issuer_keys.did_of(issuer_keys.CONFIG.base_url)
    outcome, c = await _verified(token, did)
    if outcome != "ok":
        return Verdict(outcome, DETAILS[outcome], "credential")
    facts = _facts(c)
    types = c.get("type") if isinstance(c.get("type"), list) else []
    if "VerifiableCredential" not in types or not ({"OpenBadgeCredential", "AchievementCredential"} & set(types)):
        return Verdict("not_a_credential", DETAILS["not_a_credential"], "credential", facts=facts)
    if not isinstance(c.get("issuer"), dict) or c["issuer"].get("id") != did or c.get("iss") != did:
        return Verdict("unknown_issuer", DETAILS["unknown_issuer"], "credential", facts=facts)
    now = clock.now()
    start, end = _when(c.get("validFrom")), _when(c.get("validUntil")) if c.get("validUntil") else None
    if start is None or start > now:
        return Verdict("not_yet_valid", DETAILS["not_yet_valid"], "credential", facts=facts)
    if end is not None and end < now:
        return Verdict("expired", DETAILS["expired"], "credential", facts=facts)
    entry = c.get("credentialStatus")
    if isinstance(entry, dict):
        revoked = await _revoked_by_list(entry, supplied_list, did)
        if revoked:
            if revoked == "revoked" and not supplied_list:
                revoked = await _why_not_valid(c.get("id", ""))
            return Verdict(revoked, DETAILS[revoked], "credential", facts=facts)
    return Verdict("valid", DETAILS["valid"], "credential", facts=facts)


async def _why_not_valid(credential_id: str) -> str:
    serial = credential_id.rsplit("/", 1)[-1]
    row = await Certificate.select(Certificate.status).where(Certificate.serial == serial).first()
    return "superseded" if row and row["status"] == CertificateStatus.superseded.value else "revoked"


async def _pdf_keys() -> list[bytes]:
    keys = []
    for k in await issuer_keys.published():
        if k["purpose"] == issuer_keys.PDF and k["certificate"]:
            from cryptography import x509

            cert = x509.load_pem_x509_certificate(k["certificate"].encode())
            keys.append(cert.public_key().public_bytes(serialization.Encoding.DER,
                                                       serialization.PublicFormat.SubjectPublicKeyInfo))
    return keys


async def check_pdf(data: bytes) -> Verdict:
    result = verify_pdf(data, await _pdf_keys())
    facts = {"signer": result.signer, "signed_at": result.signed_at}
    if result.verdict != "valid":
        verdict = {"unknown_signer": "unknown_issuer"}.get(result.verdict, result.verdict)
        return Verdict(verdict, PDF_DETAILS[verdict], "pdf", facts=facts)
    found = _SERIAL.search(data)
    if found:
        serial = found.group(1).decode()
        facts["serial"] = serial
        row = await Certificate.select(Certificate.status, Certificate.content).where(
            Certificate.serial == serial).first()
        if row:
            content = json.loads(row["content"])
            facts.update(name=content.get("learner", ""), achievement=content.get("activity", ""))
            if row["status"] != CertificateStatus.valid.value:
                return Verdict(row["status"], DETAILS[row["status"]], "pdf", facts=facts)
    return Verdict("valid", PDF_DETAILS["valid"], "pdf", facts=facts)


async def check(data: bytes | str, supplied_list: str | None = None) -> Verdict:
    """Whatever was pasted or uploaded: a PDF, a JWT, the JSON envelope, or anything else."""
    raw = data.encode("utf-8", "replace") if isinstance(data, str) else data
    if len(raw) > MAX_BYTES:
        return Verdict("too_large", DETAILS["too_large"])
    if raw.lstrip()[:5] == b"%PDF-":
        return await check_pdf(raw.lstrip())
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        return Verdict("not_a_credential", DETAILS["not_a_credential"])
    token = token_from(text)
    if token is None:
        unsigned = _unsigned_credential(text)
        return Verdict("unsigned" if unsigned else "not_a_credential",
                       DETAILS["unsigned" if unsigned else "not_a_credential"], "credential")
    return await check_token(token, supplied_list)


def _unsigned_credential(text: str) -> bool:
    try:
        value = json.loads(text)
    except ValueError:
        return False
    return isinstance(value, dict) and "credentialSubject" in value


DETAILS = {
    "valid": "The signature matches the issuer's published key, the credential is in force and it is not revoked.",
    "revoked": "The issuer revoked this credential: it no longer certifies what it states.",
    "superseded": "The issuer replaced this certificate with a newer one; ask the holder for the current one.",
    "tampered": "The content does not match its signature: something was changed after it was signed.",
    "unknown_issuer": "It is not signed with a key this site publishes, so it cannot be vouched for here.",
    "not_yet_valid": "The credential's validity starts in the future.",
    "expired": "The credential's validity has ended.",
    "status_list_expired": ("The signature is valid, but the revocation list given with it is out of date "
                            "(past its validUntil): fetch a current list to confirm it was not revoked."),
    "unsigned": "This is credential data without a signature: ask for the signed credential (.jwt or .json file).",
    "not_a_credential": ("This is neither an Open Badges credential nor a certificate PDF: paste the credential "
                         "(the .jwt or .json file from the learner) or upload the certificate PDF."),
    "too_large": f"Upload at most {MAX_BYTES // (1024 * 1024)} MB: a credential or certificate PDF is far smaller.",
}
PDF_DETAILS = {
    "valid": "The PDF is signed with the issuer's published key and has not changed by a single byte since.",
    "tampered": "The PDF was changed after it was signed: what it shows cannot be trusted.",
    "unsigned": "This PDF carries no signature: it cannot be checked. Ask for the certificate as issued.",
    "unknown_issuer": "The PDF is signed, but not with a key this site publishes.",
}

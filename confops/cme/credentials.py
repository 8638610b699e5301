"""Open Badges 3.0 credentials of issued certificates: built from the frozen record, signed as a
VC-JWT with the organizer's Ed25519 key, stored once, and revoked through the status list.

A credential says what the printed certificate says (learner, activity, dates, provider, credit
type and amount claimed, statements), in the shape of the 1EdTech Open Badges 3.0 specification
on the W3C VC Data Model 2.0, so a board, an employer or a wallet checks it with standard tools
against the published key, without asking confops. The learner is named (as printed) and
identified by a salted hash of their e-mail, never the e-mail itself (the spec's privacy advice).
The kind of record (learner credit, faculty letter, later attendance) chooses the achievement.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta

from joserfc import jws

from confops.accounts.tables import Organizer
from confops.cme import status_list
from confops.cme.credential_tables import CmeCredential
from confops.cme.issuer_keys import CONFIG, CREDENTIALS, SigningKey, active_key, did_of
from confops.cme.tables import CertificateStatus
from confops.core import clock
from confops.core.errors import Conflict
from confops.db import atomic
from confops.events.tables import Event

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
OB_SCHEMA = "https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json"
ALG = "Ed25519"  # RFC 9864's name for EdDSA over Ed25519 ("EdDSA" is deprecated by it)
MEDIA_TYPE = "application/vc+jwt"
STATUS_LIST_DAYS = 7
ACHIEVEMENT_TYPES = {"learner": "Certificate", "attendance": "CertificateOfCompletion",
                     "faculty": "ext:FacultyParticipation"}


def credential_url(base_url: str, serial: str) -> str:
    return f"{base_url}/credentials/{serial}"


def status_list_url(base_url: str, organizer_slug: str) -> str:
    return f"{base_url}/credentials/status/{organizer_slug}"


def issuer_profile(base_url: str, organizer_name: str) -> dict:
    return {"id": did_of(base_url), "type": ["Profile"], "name": organizer_name, "url": base_url}


def email_identity(email: str, salt: str) -> dict:
    """OB 3.0 IdentityHash: sha256 over the identifier followed by the salt, in hex."""
    digest = hashlib.sha256(((email or "").strip().lower() + salt).encode()).hexdigest()
    return {"type": "IdentityObject", "identityHash": f"sha256${digest}", "identityType": "emailAddress",
            "hashed": True, "salt": salt}


def _achievement(c: dict, kind: str, event: dict, base_url: str, issuer: dict) -> dict:
    credit_type = c.get("credit_type") or kind
    statements = [s for s in (c.get("designation_statement"), c.get("accreditation_statement")) if s]
    where = ", ".join(p for p in (c.get("dates"), c.get("location")) if p)
    if kind == "faculty":
        description = f"Faculty of {c['activity']} ({where}). " + " ".join(c.get("lines") or [])
    else:
        description = (f"{c['credit_label']} for participation in {c['activity']} ({where}), "
                       f"provided by {c['provider']}.")
    achievement = {
        "id": f"{base_url}/events/{event['slug']}#credential-{kind}-{credit_type}",
        "type": ["Achievement"],
        "achievementType": ACHIEVEMENT_TYPES.get(kind, "Achievement"),
        "name": f"{c['title']}: {c['activity']}",
        "description": description.strip(),
        "criteria": {"narrative": "\n\n".join(statements) or f"Participation in {c['activity']}."},
        "creator": {**issuer, "name": c.get("provider") or issuer["name"]},
        "inLanguage": "en",
    }
    if kind != "faculty" and c.get("credit_type") != "participation" and c.get("designated"):
        achievement["creditsAvailable"] = float(c["designated"])
    return achievement


def printed_name(c: dict) -> str:
    """The learner as the certificate prints them: the name, then the credentials."""
    return c["learner"] + (f", {c['credentials']}" if c.get("credentials") else "")


def build(c: dict, *, kind: str, serial: str, issued_at: datetime, event: dict, organizer_name: str,
          base_url: str, email: str, salt: str, status: dict) -> dict:
    """The unsigned credential of one certificate record (pure: everything comes in)."""
    issuer = issuer_profile(base_url, organizer_name)
    name = printed_name(c)
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [email_identity(email, salt),
                       {"type": "IdentityObject", "identityHash": name, "identityType": "name", "hashed": False}],
        "achievement": _achievement(c, kind, event, base_url, issuer),
        "activityStartDate": status_list.iso(event["starts_at"]),
        "activityEndDate": status_list.iso(event["ends_at"]),
    }
    if c.get("quarters") is not None and kind != "faculty":
        subject["creditsEarned"] = c["quarters"] / 4
    return {
        "@context": [VC_CONTEXT, OB_CONTEXT],
        "id": credential_url(base_url, serial),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"{c['title']}: {c['activity']}",
        "description": (f"{name}: {c['credit']} {c['credit_label']}" if c.get("credit") else
                        f"{name}: {c.get('summary', c['title'])}"),
        "issuer": issuer,
        "validFrom": status_list.iso(issued_at),
        "credentialSubject": subject,
        "credentialStatus": status,
        "credentialSchema": [{"id": OB_SCHEMA, "type": "1EdTechJsonSchemaValidator2019"}],
    }


def sign(credential: dict, key: SigningKey, did: str) -> str:
    """VC-JWT as VC-JOSE-COSE secures VC Data Model 2.0: the credential is the claims set, with the
    registered claims a plain JWT library checks (iss, jti, nbf, iat)."""
    valid_from = datetime.fromisoformat(credential["validFrom"])
    claims = {**credential, "iss": did, "jti": credential["id"], "nbf": int(valid_from.timestamp()),
              "iat": int(valid_from.timestamp())}
    header = {"alg": ALG, "typ": "vc+jwt", "cty": "vc", "kid": key.kid(did)}
    payload = json.dumps(claims, ensure_ascii=False, separators=(",", ":")).encode()
    return jws.serialize_compact(header, payload, key.jose, algorithms=[ALG])


def enveloped(token: str) -> dict:
    """The JSON form of a JWT-secured credential (VC Data Model 2.0, EnvelopedVerifiableCredential)."""
    return {"@context": [VC_CONTEXT], "id": f"data:{MEDIA_TYPE},{token}", "type": "EnvelopedVerifiableCredential"}


async def _event_and_organizer(event_id: int) -> tuple[dict, dict]:
    event = await Event.select(Event.id, Event.slug, Event.starts_at, Event.ends_at, Event.organizer).where(
        Event.id == event_id).first()
    organizer = await Organizer.select(Organizer.id, Organizer.slug, Organizer.name).where(
        Organizer.id == event["organizer"]).first()
    return event, organizer


def _stores() -> tuple:
    """The tables holding signed credentials, by what they certify: CME certificates and
    certificates of attendance. Both share the organizer's one revocation list: CME takes the
    even positions and attendance the odd ones, so each table's unique index is enough to keep
    one bit per credential (positions drawn before the split are still checked in both)."""
    from confops.attendance.tables import AttendanceCredential

    return ((CmeCredential, 0), (AttendanceCredential, 1))


async def _free_index(parity: int) -> int:
    for _ in range(8):
        candidates = [secrets.randbelow(status_list.LIST_BITS // 2) * 2 + parity for _ in range(4)]
        taken = set()
        for table, _parity in _stores():
            taken |= {r["status_index"] for r in await table.select(table.status_index).where(
                table.status_index.is_in(candidates))}
        free = [i for i in candidates if i not in taken]
        if free:
            return free[0]
    raise Conflict("The revocation list is full: a new list is needed before more credentials are issued.")


async def issue(table, owner_column, owner_id: int, *, content: dict, kind: str, serial: str, issued_at: datetime,
                event_id: int, email: str) -> dict:
    """The stored credential of one certificate record (in `table`, keyed by `owner_column`),
    signed once with the organizer's key; another request making it at the same moment gets
    the same row."""
    existing = await table.select().where(owner_column == owner_id).first()
    if existing:
        return existing
    parity = dict(_stores())[table]
    event, organizer = await _event_and_organizer(event_id)
    key = await active_key(organizer["id"], CREDENTIALS)
    base = CONFIG.base_url
    failure: Exception | None = None
    for _ in range(3):
        index = await _free_index(parity)
        credential = build(content, kind=kind, serial=serial, issued_at=issued_at, event=event,
                           organizer_name=organizer["name"], base_url=base, email=email, salt=secrets.token_hex(8),
                           status=status_list.entry(status_list_url(base, organizer["slug"]), index))
        made = table(**{owner_column._meta.name: owner_id}, organizer=organizer["id"], status_index=index,
                     key_id=key.key_id, jwt=sign(credential, key, did_of(base)), issued_at=clock.now())
        try:
            async with atomic():
                await table.insert(made)
        except Exception as exc:  # noqa: BLE001 - a unique column said no: find out which
            existing = await table.select().where(owner_column == owner_id).first()
            if existing:
                return existing  # another request made it first
            failure = exc  # the index was taken meanwhile: draw another
            continue
        return await table.select().where(owner_column == owner_id).first()
    raise failure


async def ensure(row: dict) -> dict:
    """The certificate's stored credential, made (once) if it has none. A revoked or superseded
    certificate gets none: what was never issued needs no revoking."""
    existing = await CmeCredential.select().where(CmeCredential.certificate == row["id"]).first()
    if existing:
        return existing
    if row["status"] != CertificateStatus.valid.value:
        raise Conflict("This certificate is no longer valid, so it has no credential.", code="certificate_not_valid")
    return await issue(CmeCredential, CmeCredential.certificate, row["id"], content=json.loads(row["content"]),
                       kind=row["kind"], serial=row["serial"], issued_at=row["issued_at"], event_id=row["event"],
                       email=row["email"])


async def of_certificate(row: dict) -> dict | None:
    """The credential of a certificate, made now if the certificate is valid and has none yet."""
    if row["status"] != CertificateStatus.valid.value:
        return await CmeCredential.select().where(CmeCredential.certificate == row["id"]).first()
    return await ensure(row)


async def revoked_indexes(organizer_id: int) -> list[int]:
    """The bits to set: every credential of the organizer whose certificate is no longer valid
    (revoked, or superseded by a newer record)."""
    from confops.attendance.tables import AttendanceCredential

    rows = await CmeCredential.select(CmeCredential.status_index).where(
        (CmeCredential.organizer == organizer_id)
        & (CmeCredential.certificate.status != CertificateStatus.valid.value))
    attendance = await AttendanceCredential.select(AttendanceCredential.status_index).where(
        (AttendanceCredential.organizer == organizer_id) & AttendanceCredential.certificate.revoked_at.is_not_null())
    return [r["status_index"] for r in rows + attendance]


async def status_list_token(organizer_slug: str) -> str | None:
    """The organizer's signed Bitstring Status List credential as of now, valid for a week: a
    copy older than that is refused by verifiers, so an old list cannot hide a revocation."""
    organizer = await Organizer.select(Organizer.id, Organizer.slug, Organizer.name).where(
        Organizer.slug == organizer_slug).first()
    if not organizer:
        return None
    base = CONFIG.base_url
    key = await active_key(organizer["id"], CREDENTIALS)
    now = clock.now().replace(microsecond=0)
    url = status_list_url(base, organizer["slug"])
    body = status_list.list_credential(url, issuer_profile(base, organizer["name"]),
                                       status_list.encode(await revoked_indexes(organizer["id"])),
                                       now, now + timedelta(days=STATUS_LIST_DAYS))
    return sign(body, key, did_of(base))


async def organizer_slugs() -> list[str]:
    ids = set()
    for table, _parity in _stores():
        ids |= {r["organizer"] for r in await table.select(table.organizer).distinct()}
    rows = await Organizer.select(Organizer.slug).where(Organizer.id.is_in(list(ids) or [0]))
    return [r["slug"] for r in rows]

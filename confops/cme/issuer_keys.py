"""The organizer's signing keys, published so anyone can check what confops issued.

Two keys an organizer, for two kinds of reader: Ed25519 signs the Open Badges credentials
(VC-JWT, alg Ed25519 of RFC 9864; browsers verify it with WebCrypto), ECDSA P-256 signs the certificate PDFs
(PAdES), because Debian's poppler (pdfsig, NSS) and Acrobat validate ECDSA PDF signatures but not
Ed25519 ones. Both are created on first use, sealed under CONFOPS_SECRET_KEY (core/sealing.py)
and listed in the site's DID document (did:web of CONFOPS_BASE_URL) and JWKS. Rotation adds a
new generation and retires the old one, which stays listed: a signature is never orphaned.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.x509.oid import NameOID
from joserfc.jwk import ECKey, OKPKey

from confops.accounts.tables import Organizer
from confops.cme.credential_tables import IssuerKey
from confops.core import clock, sealing
from confops.db import atomic, transaction

CREDENTIALS, PDF = "credentials", "pdf"
_INFO = b"confops/cme/issuer-key/v1"


@dataclass
class IssuerConfig:
    base_url: str = "http://127.0.0.1:8000"
    secret_key: str = "development-only-secret-do-not-use-in-production"


CONFIG = IssuerConfig()


def configure(*, base_url: str, secret_key: str) -> None:
    """Set once by the app, the worker and the CLI: the DID and the sealing follow the settings."""
    CONFIG.base_url = base_url.rstrip("/")
    CONFIG.secret_key = secret_key


def did_of(base_url: str) -> str:
    """did:web of the site: the host (a port's colon percent-encoded), then each path segment."""
    parts = urlsplit(base_url)
    segments = [quote(parts.netloc, safe="")] + [quote(p, safe="") for p in parts.path.split("/") if p]
    return "did:web:" + ":".join(segments)


@dataclass(frozen=True)
class SigningKey:
    key_id: str
    purpose: str
    organizer_id: int
    private: ed25519.Ed25519PrivateKey | ec.EllipticCurvePrivateKey
    certificate_der: bytes = b""
    jose: OKPKey | None = None  # the credential key as joserfc signs with it, imported once

    def kid(self, did: str) -> str:
        return f"{did}#{self.key_id}"


# Opened keys, by their sealed form: a key id alone is not unique across databases (tests, a restore).
_loaded: dict[tuple[str, str], SigningKey] = {}


def _signing_key(key_id: str, purpose: str, organizer_id: int, private, der: bytes) -> SigningKey:
    jose = OKPKey.import_key(private) if purpose == CREDENTIALS else None
    return SigningKey(key_id, purpose, organizer_id, private, der, jose)


def _public_jwk(private) -> dict:
    if isinstance(private, ed25519.Ed25519PrivateKey):
        jwk = OKPKey.import_key(private.public_key()).as_dict(private=False)
        return {**jwk, "alg": "Ed25519", "use": "sig"}
    jwk = ECKey.import_key(private.public_key()).as_dict(private=False)
    return {**jwk, "alg": "ES256", "use": "sig"}


def _self_signed(private: ec.EllipticCurvePrivateKey, organizer_name: str, now: datetime) -> bytes:
    """The X.509 certificate a PAdES signature carries: the organizer vouches for its own key,
    which a reader matches against the published JWKS (no certificate authority involved)."""
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, organizer_name[:64] or "confops"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, organizer_name[:64] or "confops")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(private.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=1)).not_valid_after(now + timedelta(days=365 * 30))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True, key_encipherment=False,
                                         data_encipherment=False, key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
            .sign(private, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def _new_row(organizer: dict, purpose: str, generation: int) -> tuple[IssuerKey, SigningKey]:
    private = ed25519.Ed25519PrivateKey.generate() if purpose == CREDENTIALS else ec.generate_private_key(ec.SECP256R1())
    key_id = f"{organizer['slug']}-{purpose}-{generation}"
    der = _self_signed(private, organizer["name"], clock.now()) if purpose == PDF else b""
    pkcs8 = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    row = IssuerKey(organizer=organizer["id"], purpose=purpose, key_id=key_id,
                    public_jwk=json.dumps(_public_jwk(private)),
                    certificate=x509.load_der_x509_certificate(der).public_bytes(serialization.Encoding.PEM).decode()
                    if der else "",
                    key_sealed=sealing.seal(pkcs8, secret_key=CONFIG.secret_key, info=_INFO, aad=key_id.encode()))
    return row, _signing_key(key_id, purpose, organizer["id"], private, der)


def _open(row: dict) -> SigningKey:
    cached = _loaded.get((row["key_sealed"], CONFIG.secret_key))
    if cached:
        return cached
    try:
        pkcs8 = sealing.unseal(row["key_sealed"], secret_key=CONFIG.secret_key, info=_INFO, aad=row["key_id"].encode())
    except sealing.InvalidTag as exc:
        raise ValueError(f"the issuer key {row['key_id']} does not open with this secret key") from exc
    der = x509.load_pem_x509_certificate(row["certificate"].encode()).public_bytes(
        serialization.Encoding.DER) if row["certificate"] else b""
    key = _signing_key(row["key_id"], row["purpose"], row["organizer"],
                       serialization.load_der_private_key(pkcs8, password=None), der)
    _loaded[(row["key_sealed"], CONFIG.secret_key)] = key
    return key


async def _current(organizer_id: int, purpose: str) -> dict | None:
    return await IssuerKey.select().where(
        (IssuerKey.organizer == organizer_id) & (IssuerKey.purpose == purpose)
        & IssuerKey.retired_at.is_null()).order_by(IssuerKey.id, ascending=False).first()


async def active_key(organizer_id: int, purpose: str) -> SigningKey:
    """The organizer's current key for this purpose, created on first use. Two processes creating
    it at once: the unique key id lets one insert win and the other reads the winner's row."""
    row = await _current(organizer_id, purpose)
    if row is not None:
        return _open(row)
    organizer = await Organizer.select(Organizer.id, Organizer.slug, Organizer.name).where(
        Organizer.id == organizer_id).first()
    # The generation counts retired keys only: processes racing to make the first key (or the
    # first after a rotation) all pick the same key id, so the unique column lets exactly one in.
    retired = await IssuerKey.count().where((IssuerKey.organizer == organizer_id) & (IssuerKey.purpose == purpose)
                                            & IssuerKey.retired_at.is_not_null())
    made, key = _new_row(organizer, purpose, retired + 1)
    try:
        async with atomic():  # a savepoint when issuing runs inside another service's transaction
            await IssuerKey.insert(made)
    except Exception:
        row = await _current(organizer_id, purpose)
        if row is None:
            raise
        return _open(row)
    _loaded[(made.key_sealed, CONFIG.secret_key)] = key
    return key


async def rotate(organizer_slug: str) -> list[str]:
    """Retire the organizer's current keys and make new ones; the retired stay published."""
    organizer = await Organizer.select(Organizer.id).where(Organizer.slug == organizer_slug).first()
    if not organizer:
        raise ValueError(f"no organizer {organizer_slug!r}")
    async with transaction():
        await IssuerKey.update({IssuerKey.retired_at: clock.now()}).where(
            (IssuerKey.organizer == organizer["id"]) & IssuerKey.retired_at.is_null())
    return [(await active_key(organizer["id"], purpose)).key_id for purpose in (CREDENTIALS, PDF)]


async def published() -> list[dict]:
    """Every key ever made, current and retired, oldest first, with its public JWK."""
    rows = await IssuerKey.select(IssuerKey.key_id, IssuerKey.purpose, IssuerKey.public_jwk, IssuerKey.certificate,
                                  IssuerKey.organizer, IssuerKey.created_at, IssuerKey.retired_at).order_by(IssuerKey.id)
    return [{**r, "jwk": json.loads(r["public_jwk"])} for r in rows]


async def by_key_id(key_id: str) -> dict | None:
    row = await IssuerKey.select(IssuerKey.key_id, IssuerKey.purpose, IssuerKey.public_jwk, IssuerKey.organizer,
                                 IssuerKey.retired_at).where(IssuerKey.key_id == key_id).first()
    return {**row, "jwk": json.loads(row["public_jwk"])} if row else None


def jwks(keys: list[dict], did: str) -> dict:
    return {"keys": [{**k["jwk"], "kid": f"{did}#{k['key_id']}"} for k in keys]}


def did_document(keys: list[dict], did: str) -> dict:
    """The did:web document: every key as a JsonWebKey verification method; the credential keys
    may assert (sign credentials), retired ones included so old credentials keep verifying."""
    methods = [{"id": f"{did}#{k['key_id']}", "type": "JsonWebKey", "controller": did,
                "publicKeyJwk": {kk: v for kk, v in k["jwk"].items() if kk not in ("use",)}} for k in keys]
    return {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/jwk/v1"],
            "id": did, "verificationMethod": methods,
            "assertionMethod": [m["id"] for m in methods],
            "authentication": [m["id"] for m, k in zip(methods, keys, strict=True) if k["purpose"] == CREDENTIALS]}


async def reseal_all(secret_key: str, old_secret_keys: tuple[str, ...]) -> dict[str, int]:
    """Seal every issuer key under `secret_key` (`confops rotate-secret`): how many were
    re-sealed, already current, and open with none of the keys given."""
    counts = {"resealed": 0, "current": 0, "unopenable": 0}
    for row in await IssuerKey.select(IssuerKey.id, IssuerKey.key_id, IssuerKey.key_sealed).order_by(IssuerKey.id):
        try:
            resealed = sealing.reseal(row["key_sealed"], secret_key=secret_key, old_secret_keys=old_secret_keys,
                                      info=_INFO, aad=row["key_id"].encode())
        except sealing.InvalidTag:
            counts["unopenable"] += 1
            continue
        if resealed is None:
            counts["current"] += 1
            continue
        await IssuerKey.update({IssuerKey.key_sealed: resealed}).where(
            (IssuerKey.id == row["id"]) & (IssuerKey.key_sealed == row["key_sealed"]))
        counts["resealed"] += 1
    return counts

"""What pages offer beside a certificate: its credential (links, a QR code of its address for a
wallet, the token the page checks in the browser), and the material a verify page embeds so that
a saved copy checks credentials with no network (keys, the day's signed lists, the verdicts' words)."""

from __future__ import annotations

from confops.cme import credential_check, credentials, issuer_keys
from confops.cme.certificates import by_serial
from confops.core.errors import NotFound
from confops.registration.checkin_qr import qr_data_uri


async def verifier_material() -> dict:
    base = issuer_keys.CONFIG.base_url
    did = issuer_keys.did_of(base)
    keys = [k for k in await issuer_keys.published() if k["purpose"] == issuer_keys.CREDENTIALS]
    lists = {credentials.status_list_url(base, slug): await credentials.status_list_token(slug)
             for slug in await credentials.organizer_slugs()}
    return {"did": did, "jwks": issuer_keys.jwks(keys, did), "statusLists": lists,
            "titles": credential_check.TITLES, "details": credential_check.DETAILS}


async def _made(serial: str) -> tuple[str, dict | None]:
    """(the serial as stored, its credential or None): CME certificates and certificates of
    attendance alike, each signed by cme.credentials."""
    from confops.attendance import service as attendance

    if attendance.is_attendance_serial(serial):
        c = await attendance.certificate_content(serial)
        return c["serial"], await attendance.credential_of(c["serial"])
    row = await by_serial(serial)
    return row["serial"], await credentials.of_certificate(row)


async def credential_of_serial(serial: str) -> dict:
    """The stored credential of the certificate with this serial (made now if it is valid and has none)."""
    _serial, made = await _made(serial)
    if not made:
        raise NotFound("This certificate was replaced or revoked before it had a credential.", code="no_credential")
    return made


async def offer(serial: str) -> dict:
    """The credential panel's content, or {"credential": None} when the certificate has none."""
    serial, made = await _made(serial)
    if not made:
        return {"credential": None}
    url = credentials.credential_url(issuer_keys.CONFIG.base_url, serial)
    panel = {"jwt": made["jwt"], "url": url, "json_href": f"/credentials/{serial}?download=1",
             "jwt_href": f"/credentials/{serial}/vc.jwt?download=1", "qr": qr_data_uri(url)}
    return {"credential": panel, "material": await verifier_material()}

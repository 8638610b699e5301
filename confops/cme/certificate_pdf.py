"""Certificate PDFs as handed out: drawn from the frozen record (documents/certificates.py),
then signed with the organizer's PDF key (PAdES, documents/pdf_signing.py), so any edit made
afterwards shows in pdfsig and Acrobat, and the verify page can tell the copy is genuine."""

from __future__ import annotations

from confops.accounts.tables import Organizer
from confops.cme.issuer_keys import PDF, active_key
from confops.core import clock
from confops.documents.certificates import CertificateLayout, render_certificate
from confops.documents.pdf_signing import PdfSigner, make_signer, sign_pdf
from confops.events.tables import Event

_signers: dict[bytes, PdfSigner] = {}  # by certificate: a key id is not unique across databases


async def signer_for_event(event_id: int) -> PdfSigner:
    event = await Event.select(Event.organizer).where(Event.id == event_id).first()
    organizer = await Organizer.select(Organizer.id, Organizer.name).where(Organizer.id == event["organizer"]).first()
    key = await active_key(organizer["id"], PDF)
    if key.certificate_der not in _signers:
        _signers[key.certificate_der] = make_signer(key.private, key.certificate_der, organizer["name"])
    return _signers[key.certificate_der]


def sign_issued(pdf: bytes, serial: str, signer: PdfSigner) -> bytes:
    """How every certificate confops issues is signed (credit and attendance alike)."""
    return sign_pdf(pdf, signer, signed_at=clock.now(), reason=f"Issued certificate {serial}")


def render_signed(content: dict, serial: str, verify_url: str, signer: PdfSigner,
                  layout: CertificateLayout | None = None) -> bytes:
    return sign_issued(render_certificate(content, serial, verify_url, layout), serial, signer)


async def signed_certificate(row: dict, content: dict, verify_url: str) -> bytes:
    return render_signed(content, row["serial"], verify_url, await signer_for_event(row["event"]))

"""PAdES signatures on certificate PDFs, judged by independent validators: pyHanko's and
Debian's pdfsig (poppler with NSS). A byte changed anywhere, or an update appended after
signing, must show; a PDF signed by another key is not ours."""

import io
import shutil
import subprocess

import pytest

from confops.core import clock
from confops.documents.certificates import render_certificate
from confops.documents.pdf_signing import sign_pdf, verify_pdf
from tests.cme.signing_support import throwaway_signer

CONTENT = {"kind": "learner", "title": "Certificate of credit", "learner": "Zoë Ångström", "credentials": "MD",
           "provider": "American Balint Society", "issuer": "American Balint Society",
           "activity": "ABS National Meeting 2027", "dates": "May 6–8, 2027", "format": "live",
           "location": "Tacoma, WA", "credit_type": "ama_pra_1", "credit_label": "AMA PRA Category 1 Credit(s)™",
           "quarters": 14, "credit": "3.50", "designated": "14.00", "designation_statement": "Designated.",
           "accreditation_statement": "Accredited.", "completed_on": "2027-05-08"}
SERIAL = "CME-ABCDE-FGHJK-MNPQR-STVWX"


@pytest.fixture(scope="module")
def signed():
    signer, public_key = throwaway_signer()
    pdf = render_certificate(CONTENT, SERIAL, f"https://events.example.org/verify/{SERIAL}")
    return sign_pdf(pdf, signer, signed_at=clock.now(), reason=f"Issued certificate {SERIAL}"), public_key, pdf


def _pyhanko(data: bytes):
    import asyncio

    return asyncio.run(pyhanko_status(data))


async def pyhanko_status(data: bytes):
    """pyHanko's validator, trusting the certificate the signature carries (the organizer signs
    for itself; that the key is the published one is checked against the JWKS)."""
    from asn1crypto import x509 as asn1_x509
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.validation import async_validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    signature = PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures[0]
    trust = ValidationContext(trust_roots=[asn1_x509.Certificate.load(signature.signer_cert.dump())])
    return await async_validate_pdf_signature(signature, trust)


def _pdfsig(data: bytes, tmp_path) -> str:
    if shutil.which("pdfsig") is None:
        pytest.skip("pdfsig is missing: install Debian's poppler-utils")
    path = tmp_path / "signed.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdfsig", str(path)], capture_output=True, text=True, timeout=60).stdout


def test_pyhanko_and_pdfsig_accept_the_signature_and_see_the_signer_and_time(signed, tmp_path):
    data, public_key, _ = signed
    status = _pyhanko(data)
    assert status.intact and status.valid and status.trusted and status.coverage.name == "ENTIRE_FILE"
    assert status.signing_cert.subject.native["common_name"] == "American Balint Society"
    report = _pdfsig(data, tmp_path)
    assert "Signature is Valid." in report and "Total document signed" in report, report
    assert "Signing Time:" in report and "ETSI.CAdES.detached" in report
    assert verify_pdf(data, [public_key]).verdict == "valid"


@pytest.mark.parametrize("where", ["participated", "3.50", "Serial", "/ByteRange", "%%EOF"])
def test_one_byte_changed_anywhere_is_seen_by_every_validator(signed, tmp_path, where):
    data, public_key, _ = signed
    at = data.rfind(where.encode()) if where in ("/ByteRange", "%%EOF") else data.find(where.encode())
    changed = bytearray(data)
    changed[at + 1] ^= 0x01
    changed = bytes(changed)
    assert verify_pdf(changed, [public_key]).verdict == "tampered"
    try:
        status = _pyhanko(changed)
        assert not (status.intact and status.valid)
    except Exception:  # noqa: BLE001 - pyHanko refusing to read it at all is also a refusal
        pass
    assert "Signature is Valid." not in _pdfsig(changed, tmp_path)


def test_an_update_appended_after_signing_is_not_covered(signed, tmp_path):
    data, public_key, _ = signed
    appended = data + b"5 0 obj\n<< /Type /Annot /Contents (forged note) >>\nendobj\n"
    assert verify_pdf(appended, [public_key]).verdict == "tampered"
    report = _pdfsig(appended, tmp_path)
    assert "Total document signed" not in report


def test_another_key_an_unsigned_pdf_and_garbage(signed):
    data, _, unsigned = signed
    _, stranger = throwaway_signer("Not The Society")
    assert verify_pdf(data, [stranger]).verdict == "unknown_signer"
    assert verify_pdf(unsigned, [stranger]).verdict == "unsigned"
    assert verify_pdf(b"\x00garbage" * 100, []).verdict == "unsigned"
    assert verify_pdf(b"%PDF-1.4 /ByteRange [0 10 20 5] <00>", []).verdict == "tampered"


def test_a_pdf_already_carrying_a_form_is_refused_rather_than_signed_wrongly(signed):
    signer, _ = throwaway_signer()
    data, _, _ = signed
    with pytest.raises(ValueError):
        sign_pdf(data, signer, signed_at=clock.now(), reason="twice")

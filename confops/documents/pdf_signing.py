"""PAdES signatures on the PDFs confops draws: sign_pdf() appends an incremental update holding
an invisible signature field and a CAdES detached signature (PAdES baseline B-B: content type,
message digest and the signing certificate's hash are signed; the signing time is the
dictionary's /M, as PAdES asks), so pdfsig, Acrobat and pyHanko show who signed, when, and
whether a single byte changed since.

Why not pyHanko's signer: it re-reads the whole document and re-encodes the certificate
through asn1crypto for each PDF, minutes for a meeting's 1,000 certificates. Our PDFs come
from ReportLab with a plain cross-reference table,
so the update is a few objects written as text, and everything about the signer is encoded once
(PdfSigner); a signature then costs one SHA-256 over the file and one ECDSA P-256 signature.
pyHanko's validator and pdfsig check the result in the tests. verify_pdf() is the check the
public verify page runs on an uploaded PDF.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

_SHA256 = "2.16.840.1.101.3.4.2.1"
_ECDSA_SHA256 = "1.2.840.10045.4.3.2"
_DATA = "1.2.840.113549.1.7.1"
_SIGNED_DATA = "1.2.840.113549.1.7.2"
_CONTENT_TYPE = "1.2.840.113549.1.9.3"
_MESSAGE_DIGEST = "1.2.840.113549.1.9.4"
_SIGNING_CERTIFICATE_V2 = "1.2.840.113549.1.9.16.2.47"
_RESERVED = 2048  # bytes kept for the signature container (it takes about 800)
_PLACEHOLDER = b"/ByteRange [0 9999999999 9999999999 9999999999]"


def _len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _tlv(tag: int, *content: bytes) -> bytes:
    body = b"".join(content)
    return bytes([tag]) + _len(len(body)) + body


def _oid(dotted: str) -> bytes:
    parts = [int(p) for p in dotted.split(".")]
    out = bytearray([40 * parts[0] + parts[1]])
    for p in parts[2:]:
        chunk = [p & 0x7F]
        p >>= 7
        while p:
            chunk.append(0x80 | (p & 0x7F))
            p >>= 7
        out += bytes(reversed(chunk))
    return _tlv(0x06, bytes(out))


def _int(n: int) -> bytes:
    raw = n.to_bytes(max(1, (n.bit_length() + 8) // 8), "big")
    return _tlv(0x02, raw)


def _seq(*items: bytes) -> bytes:
    return _tlv(0x30, *items)


def _set_of(*items: bytes) -> bytes:
    return _tlv(0x31, *sorted(items))  # DER: a SET OF is sorted by encoding


@dataclass(frozen=True)
class PdfSigner:
    """Everything about the signer, encoded once: a signature then only hashes and signs."""

    private: ec.EllipticCurvePrivateKey
    certificate_der: bytes
    name: str
    _sid: bytes = field(repr=False, default=b"")
    _ess: bytes = field(repr=False, default=b"")


def make_signer(private: ec.EllipticCurvePrivateKey, certificate_der: bytes, name: str) -> PdfSigner:
    cert = x509.load_der_x509_certificate(certificate_der)
    sid = _seq(cert.issuer.public_bytes(), _int(cert.serial_number))
    ess = _seq(_oid(_SIGNING_CERTIFICATE_V2), _set_of(_seq(_seq(_seq(
        _tlv(0x04, hashlib.sha256(certificate_der).digest()))))))
    return PdfSigner(private, certificate_der, name, sid, ess)


def _cms(signer: PdfSigner, digest: bytes) -> bytes:
    attrs = [_seq(_oid(_CONTENT_TYPE), _set_of(_oid(_DATA))),
             _seq(_oid(_MESSAGE_DIGEST), _set_of(_tlv(0x04, digest))), signer._ess]
    signed = _set_of(*attrs)
    signature = signer.private.sign(signed, ec.ECDSA(hashes.SHA256()))
    sha256 = _seq(_oid(_SHA256))
    signer_info = _seq(_int(1), signer._sid, sha256, b"\xa0" + signed[1:], _seq(_oid(_ECDSA_SHA256)),
                       _tlv(0x04, signature))
    signed_data = _seq(_int(1), _set_of(sha256), _seq(_oid(_DATA)), _tlv(0xA0, signer.certificate_der),
                       _set_of(signer_info))
    return _seq(_oid(_SIGNED_DATA), _tlv(0xA0, signed_data))


def _text(value: str) -> bytes:
    """A PDF text string any reader decodes: UTF-16BE with its byte-order mark, in hex."""
    return b"<FEFF" + value.encode("utf-16-be").hex().upper().encode() + b">"


_TRAILER = re.compile(rb"trailer\s*<<(.*?)>>\s*startxref\s*(\d+)\s*%%EOF\s*$", re.S)


def _object(data: bytes, offsets: dict[int, int], number: int) -> bytes:
    if number not in offsets:
        raise ValueError(f"object {number} is not in the last cross-reference table (an updated PDF)")
    start = offsets[number]
    head = f"{number} 0 obj".encode()
    if data[start:start + len(head)] != head:
        raise ValueError(f"object {number} is not where the cross-reference table says")
    end = data.index(b"endobj", start)
    body = data[start + len(head):end].strip()
    if not (body.startswith(b"<<") and body.endswith(b">>")) or b"stream" in body:
        raise ValueError(f"object {number} is not a plain dictionary")
    return body


def _xref(data: bytes, at: int) -> dict[int, int]:
    lines = data[at:].split(b"\n")
    if lines[0].strip() != b"xref":
        raise ValueError("only PDFs with a plain cross-reference table can be signed here")
    offsets, i = {}, 1
    while i < len(lines) and not lines[i].startswith(b"trailer"):
        first, count = (int(x) for x in lines[i].split())
        for n in range(count):
            entry = lines[i + 1 + n].split()
            if entry[2] == b"n":
                offsets[first + n] = int(entry[0])
        i += 1 + count
    return offsets


def sign_pdf(data: bytes, signer: PdfSigner, *, signed_at: datetime, reason: str) -> bytes:
    """`data` with a PAdES signature appended as an incremental update (ReportLab's PDFs: one
    classic cross-reference table, a catalog without a form, pages without annotations)."""
    found = _TRAILER.search(data[-2048:])
    if not found:
        raise ValueError("no trailer at the end of the PDF")
    trailer, previous = found.group(1), int(found.group(2))
    size = int(re.search(rb"/Size\s+(\d+)", trailer).group(1))
    root = int(re.search(rb"/Root\s+(\d+)\s+0\s+R", trailer).group(1))
    info = re.search(rb"/Info\s+\d+\s+0\s+R", trailer)
    ids = re.search(rb"/ID\s*\[\s*(<[0-9a-fA-F]*>)\s*(<[0-9a-fA-F]*>)\s*\]", trailer)
    offsets = _xref(data, previous)
    catalog = _object(data, offsets, root)
    pages = _object(data, offsets, int(re.search(rb"/Pages\s+(\d+)\s+0\s+R", catalog).group(1)))
    page_number = int(re.search(rb"/Kids\s*\[\s*(\d+)\s+0\s+R", pages).group(1))
    page = _object(data, offsets, page_number)
    if b"/AcroForm" in catalog or b"/Annots" in page:
        raise ValueError("the PDF already has a form or annotations")
    sig, widget = size, size + 1
    when = signed_at.astimezone(UTC).strftime("D:%Y%m%d%H%M%S+00'00'").encode()
    out = bytearray(data if data.endswith(b"\n") else data + b"\n")
    new: dict[int, int] = {}

    def put(number: int, body: bytes) -> None:
        new[number] = len(out)
        out.extend(b"%d 0 obj\n" % number + body + b"\nendobj\n")

    put(root, catalog[:-2].rstrip() + b" /AcroForm << /Fields [%d 0 R] /SigFlags 3 >> >>" % widget)
    put(page_number, page[:-2].rstrip() + b" /Annots [%d 0 R] >>" % widget)
    put(widget, b"<< /Type /Annot /Subtype /Widget /FT /Sig /T (Signature1) /V %d 0 R /F 132 "
                b"/Rect [0 0 0 0] /P %d 0 R >>" % (sig, page_number))
    put(sig, b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached " + _PLACEHOLDER
        + b" /Contents <" + b"0" * (2 * _RESERVED) + b"> /M (" + when + b") /Name " + _text(signer.name)
        + b" /Reason " + _text(reason) + b" >>")
    xref_at = len(out)
    out.extend(b"xref\n")
    for number in sorted(new):
        out.extend(b"%d 1\n%010d 00000 n \n" % (number, new[number]))
    out.extend(b"trailer\n<< /Size %d /Root %d 0 R " % (size + 2, root) + (info.group(0) + b" " if info else b"")
               + (b"/ID [" + ids.group(1) + ids.group(2) + b"] " if ids else b"")
               + b"/Prev %d >>\nstartxref\n%d\n%%%%EOF\n" % (previous, xref_at))
    start = out.index(_PLACEHOLDER, new[sig])
    hole = out.index(b"/Contents <", start) + len(b"/Contents ")
    end = hole + 2 * _RESERVED + 2
    ranges = b"/ByteRange [0 %d %d %d]" % (hole, end, len(out) - end)
    out[start:start + len(_PLACEHOLDER)] = ranges.ljust(len(_PLACEHOLDER))
    digest = hashlib.sha256(bytes(out[:hole]) + bytes(out[end:])).digest()
    container = _cms(signer, digest).hex().encode()
    if len(container) > 2 * _RESERVED:
        raise ValueError("the signature does not fit the space kept for it")
    out[hole + 1:hole + 1 + len(container)] = container
    return bytes(out)


@dataclass(frozen=True)
class PdfCheck:
    verdict: str          # valid, tampered, unsigned, unknown_signer
    signer: str = ""
    signed_at: str = ""
    public_key_der: bytes = b""


def verify_pdf(data: bytes, trusted: list[bytes]) -> PdfCheck:
    """Check the last signature of a PDF: it must cover the whole file (nothing appended or
    changed after signing), its digest must match, and its key must be one of `trusted`
    (SubjectPublicKeyInfo DER of the published PDF keys)."""
    from asn1crypto import cms

    if not data.startswith(b"%PDF"):
        return PdfCheck("unsigned")
    at = data.rfind(b"/ByteRange")
    if at < 0:
        # A signature dictionary whose byte range was edited away is a tampered signature.
        return PdfCheck("tampered" if b"/ETSI.CAdES.detached" in data or b"/Type /Sig" in data else "unsigned")
    found = re.match(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*\]", data[at:at + 80])
    if not found:
        return PdfCheck("tampered")
    a, b, c, d = (int(x) for x in found.groups())
    if a != 0 or not 0 < b < c <= len(data) or c + d != len(data) or data[b:b + 1] != b"<" or data[c - 1:c] != b">":
        return PdfCheck("tampered")
    try:
        info = cms.ContentInfo.load(_strip_padding(data[b + 1:c - 1]))
        signed_data = info["content"]
        signer_info = signed_data["signer_infos"][0]
        certificate = signed_data["certificates"][0].chosen.dump()
        attrs = signer_info["signed_attrs"]
        claimed = next(a["values"][0].native for a in attrs if a["type"].native == "message_digest")
        signed_bytes = b"\x31" + attrs.dump()[1:]
        signature = signer_info["signature"].native
        cert = x509.load_der_x509_certificate(certificate)
        public = cert.public_key()
    except Exception:  # noqa: BLE001 - whatever is in the hole, it is not a signature we made
        return PdfCheck("tampered")
    spki = public.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    name = cert.subject.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
    signer = name[0].value if name else ""
    when = re.search(rb"/M\s*\(D:(\d{14})", data[max(0, b - 4096):b])
    signed_at = when.group(1).decode() if when else ""
    if hashlib.sha256(data[a:b] + data[c:c + d]).digest() != claimed:
        return PdfCheck("tampered", signer, signed_at, spki)
    try:
        if not isinstance(public, ec.EllipticCurvePublicKey):
            raise InvalidSignature
        public.verify(signature, signed_bytes, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return PdfCheck("tampered", signer, signed_at, spki)
    if spki not in trusted:
        return PdfCheck("unknown_signer", signer, signed_at, spki)
    return PdfCheck("valid", signer, signed_at, spki)


def _strip_padding(hex_text: bytes) -> bytes:
    """The DER container inside the zero-padded hex of /Contents (its own length says where it ends)."""
    raw = bytes.fromhex(hex_text.decode("ascii"))
    if len(raw) < 2 or raw[0] != 0x30:
        raise ValueError("not a DER sequence")
    if raw[1] < 0x80:
        return raw[:2 + raw[1]]
    n = raw[1] & 0x7F
    return raw[:2 + n + int.from_bytes(raw[2:2 + n], "big")]

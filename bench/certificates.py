"""1,000 CME certificates (letter landscape, statements, QR to /verify/{serial}), each its own
PDF signed (PAdES) as `confops certificates` writes them (cme/batch.render_all, one process per
core), each with its Open Badges credential built and signed (VC-JWT, Ed25519) as issuing does:
batch time, and p95 of one signed certificate on demand (200 one by one in this process).

Goal (issues 7 and 31): ≤ 3 s for the batch (PDFs and credentials) and ≤ 50 ms p95 for one,
with signing on. The signing costs are printed apart: ms a PDF signature, ms a credential
(build + sign), and with --pyhanko what pyHanko's signer costs a PDF, for comparison. Content is
frozen as canonical JSON with its SHA-256 (as issuing does) before rendering; names mix scripts.

    .venv/bin/python bench/certificates.py [--count 1000] [--pyhanko]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cryptography.hazmat.primitives.asymmetric import ec, ed25519  # noqa: E402

from confops.cme import credentials, status_list  # noqa: E402
from confops.cme.batch import render_all  # noqa: E402
from confops.cme.certificate_pdf import render_signed  # noqa: E402
from confops.cme.certificates import canonical, content_hash  # noqa: E402
from confops.cme.issuer_keys import CREDENTIALS, _self_signed, _signing_key, did_of  # noqa: E402
from confops.cme.serials import new_serial  # noqa: E402
from confops.core import clock  # noqa: E402
from confops.documents.certificates import load_certificate_layout, render_certificate  # noqa: E402
from confops.documents.pdf_signing import make_signer, sign_pdf  # noqa: E402

BASE = "https://events.example.org"
EVENT = {"slug": "abs-national-meeting-2027", "starts_at": clock.now(), "ends_at": clock.now()}

NAMES = ["Zoë Ångström-Müller", "Αλέξανδρος Παπαδόπουλος", "Наталья Смирнова", "Trần Thị Phương",
         "Maximiliana Wolfeschlegelsteinhausen", "Jo Lee"]
STATEMENT = ("The American Balint Society designates this live activity for a maximum of 14.00 AMA PRA Category 1 "
             "Credit(s)™. Physicians should claim only the credit commensurate with the extent of their "
             "participation in the activity.")


def content(i: int) -> dict:
    quarters = 4 + i % 53
    return {"kind": "learner", "title": "Certificate of credit", "learner": NAMES[i % len(NAMES)],
            "credentials": "MD" if i % 3 else "DO", "provider": "American Balint Society",
            "issuer": "American Balint Society", "activity": "ABS National Meeting 2027", "dates": "May 6–8, 2027",
            "format": "live", "location": "Harborview Conference Center, Tacoma, WA", "credit_type": "ama_pra_1",
            "credit_label": "AMA PRA Category 1 Credit(s)™", "quarters": quarters, "credit": f"{quarters / 4:.2f}",
            "designated": "14.00", "designation_statement": STATEMENT,
            "accreditation_statement": "This activity has been planned and implemented in accordance with the "
                                       "accreditation requirements and policies of the ACCME.",
            "completed_on": "2027-05-08"}


def credential_of(row: dict, key, i: int) -> str:
    """Build and sign one credential as cme/credentials.ensure does (without the database)."""
    c = credentials.build(json.loads(row["content"]), kind="learner", serial=row["serial"], issued_at=clock.now(),
                          event=EVENT, organizer_name="American Balint Society", base_url=BASE,
                          email=f"learner{i}@example.org", salt=f"{i:016x}",
                          status=status_list.entry(f"{BASE}/credentials/status/abs", i))
    return credentials.sign(c, key, did_of(BASE))


def pyhanko_ms(pdf: bytes, private, der: bytes, n: int = 10) -> float:
    import io

    from asn1crypto import keys as asn1_keys
    from asn1crypto import x509 as asn1_x509
    from cryptography.hazmat.primitives import serialization
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers
    from pyhanko.sign.fields import SigSeedSubFilter

    pkcs8 = private.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption())
    signer = signers.SimpleSigner(signing_cert=asn1_x509.Certificate.load(der),
                                  signing_key=asn1_keys.PrivateKeyInfo.load(pkcs8), cert_registry=None)
    meta = signers.PdfSignatureMetadata(field_name="Signature1", subfilter=SigSeedSubFilter.PADES,
                                        md_algorithm="sha256")
    started = time.perf_counter()
    for _ in range(n):
        signers.sign_pdf(IncrementalPdfFileWriter(io.BytesIO(pdf)), meta, signer=signer)
    return (time.perf_counter() - started) / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=None, help="render_all's processes (default: one per core)")
    parser.add_argument("--pyhanko", action="store_true", help="also time pyHanko's signer on a few PDFs")
    args = parser.parse_args()
    layout = load_certificate_layout()
    pdf_key = ec.generate_private_key(ec.SECP256R1())
    der = _self_signed(pdf_key, "American Balint Society", clock.now())
    signer = make_signer(pdf_key, der, "American Balint Society")
    credential_key = _signing_key("abs-credentials-1", CREDENTIALS, 1, ed25519.Ed25519PrivateKey.generate(), b"")
    rows = []
    for i in range(args.count):  # frozen as issuing freezes them: canonical JSON and its hash
        text = canonical(content(i))
        content_hash(text)
        rows.append({"serial": new_serial(), "content": text})
    with tempfile.TemporaryDirectory() as tmp:
        # The credentials, as issuing makes them, then the batch as `confops certificates` writes it.
        started, cpu_started = time.perf_counter(), time.process_time()
        children_started = resource.getrusage(resource.RUSAGE_CHILDREN)
        tokens = [credential_of(row, credential_key, i) for i, row in enumerate(rows)]
        credential_seconds = time.perf_counter() - started
        render_all(rows, Path(tmp), BASE, workers=args.workers, signer=signer)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        all_cpu = cpu + (children.ru_utime - children_started.ru_utime) + (children.ru_stime - children_started.ru_stime)
        size = sum(f.stat().st_size for f in Path(tmp).glob("*.pdf")) / len(rows)
    assert len(tokens) == len(rows)
    # One certificate on demand (the download: drawn and signed), in this process with its fonts loaded.
    render_signed(content(0), "CME-WARM", f"{BASE}/verify/x", signer, layout)
    singles, unsigned = [], []
    for row in rows[:200]:
        one = time.perf_counter()
        render_signed(json.loads(row["content"]), row["serial"], f"{BASE}/verify/{row['serial']}", signer, layout)
        singles.append((time.perf_counter() - one) * 1000)
        unsigned.append(render_certificate(json.loads(row["content"]), row["serial"],
                                           f"{BASE}/verify/{row['serial']}", layout))
    one = time.perf_counter()
    for pdf in unsigned:
        sign_pdf(pdf, signer, signed_at=clock.now(), reason="bench")
    pdf_sign_ms = (time.perf_counter() - one) / len(unsigned) * 1000
    one = time.perf_counter()
    for i, row in enumerate(rows[:500]):
        credential_of(row, credential_key, i)
    credential_ms = (time.perf_counter() - one) / min(500, len(rows)) * 1000
    p95 = statistics.quantiles(singles, n=20)[-1]
    load = os.getloadavg()[0]
    print(f"{args.count} certificates, one signed PDF each ({size / 1024:.0f} KB) and one signed credential each, "
          f"parent cpu_seconds={cpu:.2f}, median_single_ms={statistics.median(singles):.1f}, load average {load:.1f} "
          f"on {os.cpu_count()} cores (wall time is inflated when loaded)")
    print(f"signing apart: pdf_signature_ms={pdf_sign_ms:.2f} credential_build_and_sign_ms={credential_ms:.2f} "
          f"(credentials for the batch: {credential_seconds:.2f} s of it)"
          + (f" pyhanko_signature_ms={pyhanko_ms(unsigned[0], pdf_key, der):.1f}" if args.pyhanko else ""))
    print(f"batch_cpu_seconds={all_cpu:.2f} (every process: what the batch costs whatever the load; "
          f"on {os.cpu_count()} idle cores it takes about this divided by {os.cpu_count()})")
    print(f"seconds={seconds:.2f} p95_single_ms={p95:.1f}")


if __name__ == "__main__":
    main()

"""1,000 CME certificates (letter landscape, statements, QR to /verify/{serial}), each its own
PDF as `confops certificates` writes them: batch time and p95 of one certificate on demand.

Goal (issue 7): ≤ 3 s for the batch and ≤ 50 ms p95 for one. Content is frozen as canonical
JSON with its SHA-256 (as issuing does) before rendering; names mix scripts.

    .venv/bin/python bench/certificates.py [--count 1000]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from confops.cme.certificates import canonical, content_hash  # noqa: E402
from confops.cme.serials import new_serial  # noqa: E402
from confops.documents.certificates import load_certificate_layout, render_certificate  # noqa: E402

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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    args = parser.parse_args()
    layout = load_certificate_layout()
    render_certificate(content(0), "CME-WARM", "https://events.example.org/verify/x", layout)  # fonts loaded once
    records = [(new_serial(), content(i)) for i in range(args.count)]
    singles = []
    with tempfile.TemporaryDirectory() as tmp:
        started, cpu_started = time.perf_counter(), time.process_time()
        for serial, c in records:
            one = time.perf_counter()
            content_hash(canonical(c))
            pdf = render_certificate(c, serial, f"https://events.example.org/verify/{serial}", layout)
            (Path(tmp) / f"{serial}.pdf").write_bytes(pdf)
            singles.append((time.perf_counter() - one) * 1000)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    p95 = statistics.quantiles(singles, n=20)[-1]
    load = os.getloadavg()[0]
    print(f"{args.count} certificates, one PDF each ({len(pdf) / 1024:.0f} KB), cpu_seconds={cpu:.2f}, "
          f"median_single_ms={statistics.median(singles):.1f}, load average {load:.1f} on {os.cpu_count()} cores "
          "(wall time is inflated when loaded)")
    print(f"seconds={seconds:.2f} p95_single_ms={p95:.1f}")


if __name__ == "__main__":
    main()

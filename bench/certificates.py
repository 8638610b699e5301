"""1,000 CME certificates (letter landscape, statements, QR to /verify/{serial}), each its own
PDF as `confops certificates` writes them (cme/batch.render_all, one process per core): batch
time, and p95 of one certificate on demand (200 rendered one by one in this process).

Goal (issue 7): ≤ 3 s for the batch and ≤ 50 ms p95 for one. Content is frozen as canonical
JSON with its SHA-256 (as issuing does) before rendering; names mix scripts.

    .venv/bin/python bench/certificates.py [--count 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from confops.cme.batch import render_all  # noqa: E402
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
    parser.add_argument("--workers", type=int, default=None, help="render_all's processes (default: one per core)")
    args = parser.parse_args()
    layout = load_certificate_layout()
    rows = []
    for i in range(args.count):  # frozen as issuing freezes them: canonical JSON and its hash
        text = canonical(content(i))
        content_hash(text)
        rows.append({"serial": new_serial(), "content": text})
    with tempfile.TemporaryDirectory() as tmp:
        # The batch as `confops certificates` writes it (cme/batch.py: one process per core).
        started, cpu_started = time.perf_counter(), time.process_time()
        render_all(rows, Path(tmp), "https://events.example.org", workers=args.workers)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        size = sum(f.stat().st_size for f in Path(tmp).glob("*.pdf")) / len(rows)
    # One certificate on demand (the download), in this process with its fonts loaded.
    render_certificate(content(0), "CME-WARM", "https://events.example.org/verify/x", layout)
    singles = []
    for row in rows[:200]:
        one = time.perf_counter()
        render_certificate(json.loads(row["content"]), row["serial"],
                           f"https://events.example.org/verify/{row['serial']}", layout)
        singles.append((time.perf_counter() - one) * 1000)
    p95 = statistics.quantiles(singles, n=20)[-1]
    load = os.getloadavg()[0]
    print(f"{args.count} certificates, one PDF each ({size / 1024:.0f} KB), parent cpu_seconds={cpu:.2f}, "
          f"median_single_ms={statistics.median(singles):.1f}, load average {load:.1f} on {os.cpu_count()} cores "
          "(wall time is inflated when loaded)")
    print(f"seconds={seconds:.2f} p95_single_ms={p95:.1f}")


if __name__ == "__main__":
    main()

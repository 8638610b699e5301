"""1,000 badges (4 × 3 in, one per page) to one PDF: time and peak memory.

Goal (issue 5): ≤ 2.0 s and ≤ 200 MB. Names mix Latin with diacritics, Greek, Cyrillic and
Vietnamese; every badge has its own signed check-in token, issued inside the clock as
`confops.documents.badge_data` does when it prints (HMAC-SHA256: microseconds each). The PDF
goes to a temporary file, as `confops badges` writes it. The database read is not timed here.

    .venv/bin/python bench/badges.py [--count 1000] [--layout badge-4x3]
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from confops.checkin import keys, tokens  # noqa: E402
from confops.documents.badges import BadgeData, write_badges  # noqa: E402
from confops.documents.layouts import load_layout  # noqa: E402

NAMES = [("Zoë", "Ångström-Müller"), ("Αλέξανδρος", "Παπαδόπουλος"), ("Наталья", "Смирнова"),
         ("Phương", "Trần Thị"), ("Maximiliana", "Wolfeschlegelsteinhausen"), ("Jo", "Lee")]
ROLES = ["attendee", "attendee", "attendee", "faculty", "staff", "group_leader"]


def people(count: int) -> list[BadgeData]:
    key = keys.new_key(1)
    out = []
    for i in range(count):
        first, last = NAMES[i % len(NAMES)]
        out.append(BadgeData(first, f"{first} {last}", last, "MD" if i % 3 else "", "she/her" if i % 2 else "",
                             "University Hospital of Somewhere Rather Long", "Portland, OR", ROLES[i % len(ROLES)],
                             tokens.issue(key, i + 1, 1)))
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--layout", default="badge-4x3")
    args = parser.parse_args()
    layout = load_layout(args.layout)
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp) / "badges.pdf"
        started, cpu_started = time.perf_counter(), time.process_time()
        badges = people(args.count)
        with target.open("wb") as out:
            pages = write_badges(out, badges, layout)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
        size_mb = target.stat().st_size / 1e6
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    load = os.getloadavg()[0]
    print(f"{args.count} badges, layout {args.layout}, PDF {size_mb:.1f} MB, cpu_seconds={cpu:.2f}, "
          f"load average {load:.1f} on {os.cpu_count()} cores (wall time is inflated when loaded)")
    print(f"seconds={seconds:.2f} peak_rss_mb={peak_mb:.0f} pages={pages}")


if __name__ == "__main__":
    main()

"""Check-in tokens: issue and verify rates on one core (pure functions, no database).

    .venv/bin/python bench/checkin_tokens.py [--count 100000]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from confops.checkin import keys, tokens  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--count", type=int, default=100_000)
    args = parser.parse_args()
    key = keys.new_key(42)
    started = time.perf_counter()
    issued = [tokens.issue(key, i + 1, 1) for i in range(args.count)]
    issue_s = time.perf_counter() - started
    scanner = tokens.OfflineVerifier(key, {i + 1: 1 for i in range(args.count)})
    started = time.perf_counter()
    ok = sum(scanner.check(t).ok for t in issued)
    verify_s = time.perf_counter() - started
    print(f"{args.count} tokens of {tokens.TOKEN_LENGTH} digits; load average {os.getloadavg()[0]:.1f}")
    print(f"issue_per_s={args.count / issue_s:.0f} verify_per_s={args.count / verify_s:.0f} "
          f"wrong_results={args.count - ok}")


if __name__ == "__main__":
    main()

"""Write the lock files: every package confops needs at run time (requirements.lock) and for
the tests (requirements-test.lock), each at the exact version pip resolves from
pyproject.toml today, for this Python on Linux. `make lock` runs it; `make run`, `make test`
and docs/deploy.md install with these files as constraints, so every machine gets the same
versions. pip resolves without installing anything (--dry-run --report)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HEADER = ("# Exact versions of every {what} dependency of confops, resolved by pip from pyproject.toml\n"
          "# for Python {py} on Linux. Regenerate with `make lock` after changing a dependency.\n")


def resolve(target: str, constraints: Path | None = None) -> dict[str, str]:
    command = [sys.executable, "-m", "pip", "install", "--dry-run", "--ignore-installed", "--quiet",
               "--report", "-", target]
    if constraints is not None:
        command[5:5] = ["-c", str(constraints)]
    out = subprocess.run(command, cwd=ROOT, check=True, capture_output=True, text=True).stdout
    report = json.loads(out)
    return {item["metadata"]["name"].lower(): item["metadata"]["version"] for item in report["install"]
            if item["metadata"]["name"].lower() != "confops"}


def write(path: Path, pins: dict[str, str], what: str) -> None:
    py = f"{sys.version_info.major}.{sys.version_info.minor}"
    lines = [f"{name}=={version}" for name, version in sorted(pins.items())]
    path.write_text(HEADER.format(what=what, py=py) + "\n".join(lines) + "\n")
    print(f"{path.name}: {len(lines)} packages")


def main() -> None:
    runtime = resolve(".")
    write(ROOT / "requirements.lock", runtime, "run-time")
    test = resolve(".[test]", ROOT / "requirements.lock")
    write(ROOT / "requirements-test.lock", test, "run-time and test")


if __name__ == "__main__":
    main()

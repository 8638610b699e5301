"""Where the files that ship with confops are: templates, migrations, badge and certificate
layouts with their fonts. In a checkout they are the top-level folders; in an installed
wheel they are inside the package (setup.py copies them to confops/_shipped/)."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def shipped(name: str) -> Path:
    inside = PACKAGE / "_shipped" / name
    return inside if inside.is_dir() else PACKAGE.parent / name

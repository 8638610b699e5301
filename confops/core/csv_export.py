"""The one CSV writer of the project: every CSV download goes through it.

A text cell beginning with = + - @ (or a tab or carriage return) runs as a formula when the
file is opened in a spreadsheet ("formula injection": a registrant named
`=HYPERLINK("http://x","y")` becomes a link, `+cmd|' /C calc'!A0` a command on old Excel). Such
text is written with a leading apostrophe, which spreadsheets show as text and do not evaluate.
Numbers stay numbers (a negative amount is a number, not text starting with "-").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

RISKY = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """The CSV form of a cell: risky text gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(RISKY):
        return "'" + value
    return value


class SafeWriter:
    """csv.writer's writerow/writerows, with every cell made safe."""

    def __init__(self, out, **options) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[object]) -> None:
        self._writer.writerow([safe_text(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[object]]) -> None:
        for row in rows:
            self.writerow(row)


class SafeDictWriter:
    """csv.DictWriter with every cell (and header) made safe."""

    def __init__(self, out, fieldnames: Sequence[str], **options) -> None:
        self.fieldnames = list(fieldnames)
        self._writer = SafeWriter(out, **options)

    def writeheader(self) -> None:
        self._writer.writerow(self.fieldnames)

    def writerow(self, row: dict) -> None:
        self._writer.writerow([row.get(k, "") for k in self.fieldnames])

    def writerows(self, rows: Iterable[dict]) -> None:
        for row in rows:
            self.writerow(row)


def writer(out, **options) -> SafeWriter:
    return SafeWriter(out, **options)


def to_csv(headers: Sequence[object], rows: Iterable[Iterable[object]]) -> str:
    out = io.StringIO()
    w = SafeWriter(out)
    w.writerow(headers)
    w.writerows(rows)
    return out.getvalue()

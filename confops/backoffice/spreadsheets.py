"""Export tables as CSV or XLSX, with every cell safe to open in a spreadsheet.

A text cell beginning with = + - @ (or a tab/CR) would run as a formula when a CSV is opened
in a spreadsheet ("formula injection", e.g. a registrant named `=HYPERLINK(...)`). In CSV such
text is prefixed with an apostrophe; in XLSX it is written as an explicit text cell, which a
spreadsheet never evaluates.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from confops.core.extension import ExportTable

RISKY = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: object) -> object:
    """The CSV form of a cell: risky text gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(RISKY):
        return "'" + value
    return value


def _plain(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # XLSX has no time zones; values are UTC
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def to_csv(table: ExportTable) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([safe_text(h) for h in table.headers])
    for row in table.rows:
        writer.writerow([safe_text(_plain(v)) for v in row])
    return out.getvalue()


def _sheet_title(title: str, taken: set[str]) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", " ", title)[:31] or "Sheet"
    name, n = base, 2
    while name in taken:
        name = f"{base[:28]} {n}"
        n += 1
    taken.add(name)
    return name


def _cell(sheet, value: object) -> object:
    if isinstance(value, str) and value.startswith("="):
        cell = WriteOnlyCell(sheet, value)
        cell.data_type = "s"  # text that looks like a formula stays text
        return cell
    return value


def to_xlsx(tables: list[ExportTable]) -> bytes:
    book = Workbook(write_only=True)  # streams rows: a few thousand registrations stay fast
    taken: set[str] = set()
    for table in tables:
        sheet = book.create_sheet(_sheet_title(table.title, taken))
        for i, header in enumerate(table.headers, start=1):
            width = max([len(str(header))] + [len(str(r[i - 1])) for r in table.rows[:200] if i - 1 < len(r)])
            sheet.column_dimensions[get_column_letter(i)].width = min(60, width + 2)
        sheet.freeze_panes = "A2"
        header_cells = []
        for header in table.headers:
            cell = WriteOnlyCell(sheet, header)
            cell.font = Font(bold=True)
            header_cells.append(cell)
        sheet.append(header_cells)
        for row in table.rows:
            sheet.append([_cell(sheet, _plain(v)) for v in row])
    buf = io.BytesIO()
    book.save(buf)
    return buf.getvalue()

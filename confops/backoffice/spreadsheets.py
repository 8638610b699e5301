"""Export tables as CSV or XLSX, with every cell safe to open in a spreadsheet.

CSV goes through the project's one CSV writer (core/csv_export.py: risky text gets an
apostrophe); in XLSX text that looks like a formula is written as an explicit text cell, which a
spreadsheet never evaluates.
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import tempfile
from collections.abc import AsyncIterator
from datetime import datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from confops.core import csv_export
from confops.core.csv_export import RISKY, safe_text  # noqa: F401 - re-exported for the other areas' exports
from confops.core.extension import ExportTable


def _plain(value: object) -> object:
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)  # XLSX has no time zones; values are UTC
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return value


def to_csv(table: ExportTable) -> str:
    return csv_export.to_csv(table.headers, ([_plain(v) for v in row] for row in table.rows))


async def csv_stream(headers: list[str], batches: AsyncIterator[list[list]], *, bom: bool = True
                     ) -> AsyncIterator[bytes]:
    """A CSV download as it is read: the header, then each chunk of rows as soon as it arrives
    (UTF-8 with a BOM, so spreadsheets read the accents), every cell through the one CSV writer."""
    out = io.StringIO()
    writer = csv_export.writer(out)
    writer.writerow(headers)
    yield (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")
    async for batch in batches:
        out.seek(0)
        out.truncate()
        writer.writerows([_plain(v) for v in row] for row in batch)
        yield out.getvalue().encode("utf-8")


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


def _widths(sheet, headers: list[str], sample: list[list]) -> None:
    for i, header in enumerate(headers, start=1):
        width = max([len(str(header))] + [len(str(r[i - 1])) for r in sample[:200] if i - 1 < len(r)])
        sheet.column_dimensions[get_column_letter(i)].width = min(60, width + 2)


def _header_row(sheet, headers: list[str]) -> list:
    cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, header)
        cell.font = Font(bold=True)
        cells.append(cell)
    return cells


async def xlsx_file(sheets: list[tuple[str, list[str], AsyncIterator[list[list]]]]) -> tuple[str, int]:
    """Write a workbook to a temporary file, a chunk of rows at a time (openpyxl's write-only
    mode keeps rows on disk, not in memory), and return its path and size; the caller deletes it. The
    writing of each chunk runs in a thread so the server goes on answering meanwhile."""
    book = Workbook(write_only=True)
    taken: set[str] = set()
    for title, headers, batches in sheets:
        sheet = book.create_sheet(_sheet_title(title, taken))
        first = True
        async for batch in batches:
            if first:
                _widths(sheet, headers, batch)
                sheet.freeze_panes = "A2"
                sheet.append(_header_row(sheet, headers))
                first = False
            await asyncio.to_thread(_append, sheet, batch)
        if first:
            _widths(sheet, headers, [])
            sheet.freeze_panes = "A2"
            sheet.append(_header_row(sheet, headers))
    handle, path = tempfile.mkstemp(prefix="confops-export-", suffix=".xlsx")
    os.close(handle)
    try:
        await asyncio.to_thread(book.save, path)
    except BaseException:
        os.unlink(path)
        raise
    return path, os.stat(path).st_size


def _append(sheet, batch: list[list]) -> None:
    for row in batch:
        sheet.append([_cell(sheet, _plain(v)) for v in row])


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

"""Export tables as CSV or XLSX, with every cell safe to open in a spreadsheet.

CSV goes through the project's one CSV writer (core/csv_export.py: risky text gets an
apostrophe); XLSX through core/xlsx_writer.py, where all text is a text cell (text that looks
like a formula is never evaluated).
"""

from __future__ import annotations

import asyncio
import io
import os
import re
import tempfile
from collections.abc import AsyncIterator
from datetime import datetime

from confops.core import csv_export
from confops.core.csv_export import RISKY, safe_text  # noqa: F401 - re-exported for the other areas' exports
from confops.core.extension import ExportTable
from confops.core.xlsx_writer import XlsxWriter


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


def _widths(headers: list[str], sample: list[list]) -> list[float]:
    return [min(60, max([len(str(header))] + [len(str(r[i])) for r in sample[:200] if i < len(r)]) + 2)
            for i, header in enumerate(headers)]


def _plain_rows(batch: list[list]) -> list[list]:
    return [[_plain(v) for v in row] for row in batch]


async def xlsx_file(sheets: list[tuple[str, list[str], AsyncIterator[list[list]]]]) -> tuple[str, int]:
    """Write a workbook to a temporary file, a chunk of rows at a time (core/xlsx_writer.py
    streams each chunk into the zip), and return its path and size; the caller deletes it. The
    writing of each chunk runs in a thread so the server goes on answering meanwhile."""
    handle, path = tempfile.mkstemp(prefix="confops-export-", suffix=".xlsx")
    os.close(handle)
    try:
        book = XlsxWriter(path)
        taken: set[str] = set()
        for title, headers, batches in sheets:
            started = False
            async for batch in batches:
                rows = _plain_rows(batch)
                if not started:
                    book.sheet(_sheet_title(title, taken), headers, _widths(headers, rows))
                    started = True
                await asyncio.to_thread(book.rows, rows)
            if not started:
                book.sheet(_sheet_title(title, taken), headers, _widths(headers, []))
        await asyncio.to_thread(book.close)
    except BaseException:
        os.unlink(path)
        raise
    return path, os.stat(path).st_size


def to_xlsx(tables: list[ExportTable]) -> bytes:
    buf = io.BytesIO()
    book = XlsxWriter(buf)
    taken: set[str] = set()
    for table in tables:
        rows = _plain_rows(table.rows)
        book.sheet(_sheet_title(table.title, taken), table.headers, _widths(table.headers, rows))
        book.rows(rows)
    book.close()
    return buf.getvalue()

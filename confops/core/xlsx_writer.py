"""A streaming XLSX writer: rows go straight into the sheet's XML inside the zip as they come,
so a workbook of 20,000 registrations takes memory for one chunk of rows and about a tenth of
the time of openpyxl's write-only mode (which builds a cell object per value).

What it writes is the small part of SpreadsheetML that exports need: text as inline strings
(never a formula: text that looks like one stays text), numbers, dates and times (UTC, as
numbers with a date format), a bold header row frozen at the top and column widths. Characters
XML cannot carry (control characters) are left out; text is cut at Excel's 32,767 characters.
"""

from __future__ import annotations

import io
import math
import re
import zipfile
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
_EPOCH = datetime(1899, 12, 30)
_MAX_TEXT = 32767
# cellXfs below: 0 plain, 1 bold (header), 2 date and time, 3 date
_BOLD, _DATETIME, _DATE = 1, 2, 3
_STYLES = (
    f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="{_MAIN}">'
    '<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss"/>'
    '<numFmt numFmtId="165" formatCode="yyyy-mm-dd"/></numFmts>'
    '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font>'
    '<font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="4"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>')


_NEEDS_ESCAPE = re.compile("[&<>\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _text(ref: str, value: str, s: str) -> str:
    if not value:
        return ""
    if len(value) > _MAX_TEXT:
        value = value[:_MAX_TEXT]
    if _NEEDS_ESCAPE.search(value):
        value = escape(_ILLEGAL.sub("", value))
    return f'<c r="{ref}" t="inlineStr"{s}><is><t xml:space="preserve">{value}</t></is></c>'


def _number(ref: str, value: int | float | Decimal, s: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return _text(ref, str(value), s)
    return f'<c r="{ref}"{s}><v>{value}</v></c>'


def _bool(ref: str, value: bool, s: str) -> str:
    return f'<c r="{ref}" t="b"{s}><v>{int(value)}</v></c>'


def _datetime(ref: str, value: datetime, s: str) -> str:
    if value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    return f'<c r="{ref}" s="{_DATETIME}"><v>{(value - _EPOCH).total_seconds() / 86400!r}</v></c>'


def _date(ref: str, value: date, s: str) -> str:
    return f'<c r="{ref}" s="{_DATE}"><v>{(value - _EPOCH.date()).days}</v></c>'


def _none(ref: str, value: None, s: str) -> str:
    return ""


_BY_TYPE = {str: _text, int: _number, float: _number, Decimal: _number, bool: _bool, datetime: _datetime,
            date: _date, type(None): _none}


def _other(ref: str, value: object, s: str) -> str:
    for kind, write in _BY_TYPE.items():  # subclasses (an enum of str, a pendulum datetime)
        if isinstance(value, kind) and kind is not type(None):
            return write(ref, value, s)
    return _text(ref, str(value), s)


class XlsxWriter:
    """`sheet(title, headers, widths)`, then `rows(...)` as many times as needed, for each
    sheet; `close()` writes the workbook's parts. Not thread-safe; one call at a time."""

    def __init__(self, target: str | io.BufferedIOBase):
        self._zip = zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED, compresslevel=1)
        self._titles: list[str] = []
        self._out: io.TextIOWrapper | None = None
        self._letters: list[str] = []
        self._row = 0

    def sheet(self, title: str, headers: list[str], widths: list[float] | None = None) -> None:
        self._end_sheet()
        self._titles.append(title)
        raw = self._zip.open(f"xl/worksheets/sheet{len(self._titles)}.xml", "w", force_zip64=True)
        self._out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        self._letters = [get_column_letter(i) for i in range(1, max(1, len(headers)) + 1)]
        cols = "".join(f'<col min="{i}" max="{i}" width="{w:.1f}" customWidth="1"/>'
                       for i, w in enumerate(widths or [], start=1))
        self._out.write(
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="{_MAIN}" xmlns:r="{_REL}">'
            '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" '
            'state="frozen"/><selection pane="bottomLeft"/></sheetView></sheetViews>'
            '<sheetFormatPr defaultRowHeight="15"/>'
            f'{"<cols>" + cols + "</cols>" if cols else ""}<sheetData>')
        self._row = 0
        self.rows([headers], style=_BOLD)

    def rows(self, rows: list[list], style: int = 0) -> None:
        assert self._out is not None, "sheet() first"
        letters = self._letters
        by_type = _BY_TYPE
        parts = []
        for row in rows:
            self._row += 1
            n = self._row
            if len(row) > len(letters):
                letters = self._letters = [get_column_letter(i) for i in range(1, len(row) + 1)]
            s = f' s="{style}"' if style else ""
            cells = "".join([by_type.get(type(value), _other)(f"{letter}{n}", value, s)
                             for letter, value in zip(letters, row, strict=False)])
            parts.append(f'<row r="{n}">{cells}</row>')
        self._out.write("".join(parts))

    def _end_sheet(self) -> None:
        if self._out is not None:
            self._out.write("</sheetData></worksheet>")
            self._out.close()
            self._out = None

    def close(self) -> None:
        self._end_sheet()
        n = len(self._titles)
        sheets = "".join(f'<sheet name={quoteattr(_ILLEGAL.sub("", t))} sheetId="{i}" r:id="rId{i}"/>'
                         for i, t in enumerate(self._titles, start=1))
        head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        self._zip.writestr("[Content_Types].xml", head + (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/styles.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
            + "".join(f'<Override PartName="/xl/worksheets/sheet{i}.xml" '
                      'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
                      for i in range(1, n + 1)) + "</Types>"))
        self._zip.writestr("_rels/.rels", head + (
            f'<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" '
            f'Type="{_REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        self._zip.writestr("xl/workbook.xml", head + (
            f'<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/></bookViews>'
            f"<sheets>{sheets}</sheets></workbook>"))
        self._zip.writestr("xl/_rels/workbook.xml.rels", head + (
            f'<Relationships xmlns="{_PKG_REL}">'
            + "".join(f'<Relationship Id="rId{i}" Type="{_REL}/worksheet" Target="worksheets/sheet{i}.xml"/>'
                      for i in range(1, n + 1))
            + f'<Relationship Id="rId{n + 1}" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'))
        self._zip.writestr("xl/styles.xml", _STYLES)
        self._zip.close()

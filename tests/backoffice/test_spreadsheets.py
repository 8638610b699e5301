"""Exports open safely: formula-looking text stays text in CSV and XLSX."""

import csv
import io

from openpyxl import load_workbook

from confops.backoffice.spreadsheets import to_csv, to_xlsx
from confops.core.extension import ExportTable

EVIL = ["=HYPERLINK(\"http://x\",\"y\")", "+1+1", "-2+3", "@SUM(A1)", "\tcmd"]


def test_csv_prefixes_formula_text_and_keeps_numbers():
    table = ExportTable("t", "Test", ["Name", "Amount"], [[v, -5] for v in EVIL])
    rows = list(csv.reader(io.StringIO(to_csv(table))))
    assert rows[0] == ["Name", "Amount"]
    assert all(r[0].startswith("'") for r in rows[1:])
    assert all(r[1] == "-5" for r in rows[1:])


def test_xlsx_writes_formula_text_as_text():
    table = ExportTable("t", "Dietary list", ["Name", "People"], [[v, 3] for v in EVIL])
    book = load_workbook(io.BytesIO(to_xlsx([table, ExportTable("u", "Dietary list", ["A"], [])])))
    assert book.sheetnames == ["Dietary list", "Dietary list 2"]
    sheet = book["Dietary list"]
    assert [c.value for c in sheet[1]] == ["Name", "People"]
    for row, value in zip(sheet.iter_rows(min_row=2), EVIL, strict=True):
        assert row[0].value == value and row[0].data_type == "s"
        assert row[1].value == 3


def test_xlsx_reads_back_with_its_types_header_and_hostile_text():
    from datetime import UTC, date, datetime
    from decimal import Decimal

    when = datetime(2026, 5, 14, 9, 30, 15, tzinfo=UTC)
    rows = [["Zoë <b>&amp;</b>", 12, 12.5, Decimal("3.10"), when, date(2026, 5, 14), None, "", True],
            ["bell\x07 and\x00 nul", -1, 0.0, Decimal("0"), when, date(1999, 12, 31), "x" * 40000, "ok", False]]
    data = to_xlsx([ExportTable("t", "Registrations: all / [2026]", ["Name", "A", "B", "C", "When", "Day", "N", "E",
                                                                     "Flag"], rows)])
    book = load_workbook(io.BytesIO(data))
    sheet = book.active
    assert book.sheetnames == ["Registrations  all    2026 "]
    assert [c.value for c in sheet[1]] == ["Name", "A", "B", "C", "When", "Day", "N", "E", "Flag"]
    assert all(c.font.b for c in sheet[1]) and not sheet["A2"].font.b
    assert sheet.freeze_panes == "A2"
    first = [c.value for c in sheet[2]]
    assert first[:4] == ["Zoë <b>&amp;</b>", 12, 12.5, 3.1] and first[4] == when.replace(tzinfo=None)
    assert first[5].date() == date(2026, 5, 14) and first[6] is None and first[7] is None
    assert first[8] == "yes"  # yes/no, as in the CSV
    second = [c.value for c in sheet[3]]
    assert second[0] == "bell and nul" and len(second[6]) == 32767 and second[8] == "no"
    assert sheet.column_dimensions["A"].width >= 16

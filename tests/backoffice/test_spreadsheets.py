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

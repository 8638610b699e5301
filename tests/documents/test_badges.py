"""Badge PDFs read back: the text a reader extracts, the QR codes a scanner decodes, labels per
page, and the mirrored back of duplex sheets."""

import io
import math
import shutil
import subprocess
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader
from reportlab.pdfbase import pdfmetrics

from confops.checkin import keys as keyring
from confops.checkin import tokens
from confops.documents.badges import BadgeData, fitted_size, render_badges, sort_key
from confops.documents.layouts import MM, available, load_layout

KEY = keyring.new_key(11)

PEOPLE = [
    BadgeData("Zoë", "Zoë Ångström-Müller", "Ångström-Müller", "MD", "she/her", "Université de Montréal",
              "Montréal, QC", "faculty", tokens.issue(KEY, 1, 1), "Group 4 — Room B", ("Thu 09:00 Plenary",)),
    BadgeData("Αλέξανδρος", "Αλέξανδρος Παπαδόπουλος", "Παπαδόπουλος", "PhD", "he/him", "Πανεπιστήμιο Αθηνών",
              "Αθήνα", "attendee", tokens.issue(KEY, 2, 1)),
    BadgeData("Наталья", "Наталья Смирнова", "Смирнова", "", "she/her", "МГУ", "Москва", "staff", tokens.issue(KEY, 3, 1)),
    BadgeData("Phương", "Trần Thị Phương", "Trần", "DO", "", "Đại học Y Hà Nội", "Hà Nội", "group_leader",
              tokens.issue(KEY, 4, 1)),
    BadgeData("Łukasz", "Łukasz Żółkiewski", "Żółkiewski", "LCSW", "he/him", "Uniwersytet Jagielloński",
              "Kraków", "attendee", tokens.issue(KEY, 5, 2)),
    BadgeData("Søren", "Søren Kierkegaard Ødegård", "Ødegård", "", "", "", "", "attendee", tokens.issue(KEY, 6, 1)),
]


def _many(n: int) -> list[BadgeData]:
    return [BadgeData(f"P{i}", f"Person Number{i}", f"Number{i}", qr_token=tokens.issue(KEY, 100 + i, 1))
            for i in range(n)]


def _pages_text(pdf: bytes) -> list[list[str]]:
    """Each page's text runs as pypdf extracts them (one per string drawn, in drawing order)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        runs: list[str] = []

        def visit(text, *_, runs=runs):
            runs.extend(t for t in text.splitlines() if t.strip())

        page.extract_text(visitor_text=visit)
        pages.append(runs)
    return pages


def test_names_in_every_script_come_back_out_of_the_pdf():
    pages = _pages_text(render_badges(PEOPLE, load_layout("badge-4x3")))
    assert len(pages) == len(PEOPLE)
    for person, lines in zip(PEOPLE, pages, strict=True):
        assert person.first_name in lines
        with_credentials = f"{person.full_name}, {person.credentials}" if person.credentials else person.full_name
        assert with_credentials in lines
        for value in (person.pronouns, person.institution, person.city_region):
            if value:
                assert value in lines


def test_the_font_ships_with_the_project_with_its_licence():
    fonts = Path(__file__).resolve().parents[2] / "badges" / "fonts"
    assert (fonts / "DejaVuSans.ttf").is_file() and (fonts / "DejaVuSans-Bold.ttf").is_file()
    assert "Bitstream" in (fonts / "LICENSE-DejaVu.txt").read_text()


@pytest.mark.parametrize("name", sorted(available()))
def test_each_layout_puts_its_number_of_labels_on_a_page(name):
    layout = load_layout(name)
    badges = _many(layout.per_page * 2 + 1)
    pages = _pages_text(render_badges(badges, layout))
    sides = 2 if layout.duplex else 1
    assert len(pages) == 3 * sides
    for sheet in range(3):
        expected = badges[sheet * layout.per_page:(sheet + 1) * layout.per_page]
        for side in range(sides):
            on_page = [line for line in pages[sheet * sides + side] if line.startswith("P") and " " not in line]
            assert on_page == [b.first_name for b in expected]


def test_labels_sit_on_the_stock_grid():
    avery = load_layout("avery-5392")
    assert (avery.columns, avery.rows, avery.gap_x, avery.gap_y) == (2, 3, 0, 0)
    assert (avery.label_width, avery.label_height) == (101.6, 76.2)
    assert avery.label_origin(5) == pytest.approx((6.35 + 101.6, 25.4 + 2 * 76.2))
    assert avery.margin_left * 2 + 2 * avery.label_width == pytest.approx(avery.page_width)
    assert (load_layout("badge-a6").page_width, load_layout("badge-a6").page_height) == (105, 148)


def _centres(page, font_names=("ConfopsSans-Bold", "ConfopsSans")):
    """Horizontal centre (points) of every text run on the page, by its text."""
    found = {}

    def visit(text, cm, tm, font_dict, size):
        text = text.strip()
        if text and font_dict:
            font = "ConfopsSans-Bold" if "Bold" in font_dict["/BaseFont"] else "ConfopsSans"
            found.setdefault(text, []).append(tm[4] + pdfmetrics.stringWidth(text, font, size) / 2)

    page.extract_text(visitor_text=visit)
    return found


def test_duplex_back_is_mirrored_by_column():
    layout = load_layout("badge-4x6-duplex")
    front, back = PdfReader(io.BytesIO(render_badges(PEOPLE[:2], layout))).pages[:2]
    page_width = layout.page_width * MM
    front_x, back_x = _centres(front), _centres(back)
    for person, column in ((PEOPLE[0], 0), (PEOPLE[1], 1)):
        (fx,), (bx,) = front_x[person.first_name], back_x[person.first_name]
        assert (fx < page_width / 2) == (column == 0)
        assert (bx < page_width / 2) == (column == 1)
        assert bx == pytest.approx(page_width - fx, abs=1.0)
    assert "Group 4 — Room B" in back_x and "Thu 09:00 Plenary" in back_x
    assert "Group 4 — Room B" not in front_x


def test_a_long_first_name_is_shrunk_to_fit_its_box():
    layout = load_layout("badge-4x3")
    box = next(e for e in layout.front if e.kind == "text" and e.text == "{first_name}")
    long_name = "Maximiliana"
    size = fitted_size(long_name, "ConfopsSans-Bold", 72, box.min_size_pt, box.width * MM)
    assert box.min_size_pt < size < 72
    assert pdfmetrics.stringWidth(long_name, "ConfopsSans-Bold", size) <= box.width * MM + 0.01
    pages = _pages_text(render_badges([BadgeData(long_name, f"{long_name} Ruiz")], layout))
    assert long_name in pages[0]
    very_long = "Wolfeschlegelsteinhausenbergerdorff"
    assert fitted_size(very_long, "ConfopsSans-Bold", 72, box.min_size_pt, box.width * MM) == box.min_size_pt
    front, = PdfReader(io.BytesIO(render_badges([BadgeData(very_long, very_long)], layout))).pages
    runs = _centres(front)
    assert very_long in runs  # narrowed, not cut
    assert b"Tz" in front.get_contents().get_data()


def test_sort_key_orders_by_last_name_without_accents():
    ordered = [b.last_name for b in sorted(PEOPLE, key=sort_key)]
    assert ordered == ["Ångström-Müller", "Ødegård", "Trần", "Żółkiewski", "Παπαδόπουλος", "Смирнова"]


def _rasterise(pdf: bytes, tmp_path: Path) -> list[Image.Image]:
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is missing: install Debian's poppler-utils to rasterise badges")
    source = tmp_path / "badges.pdf"
    source.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-r", "150", "-png", str(source), str(tmp_path / "page")], check=True, timeout=120)
    return [Image.open(p) for p in sorted(tmp_path.glob("page-*.png"))]


@pytest.mark.parametrize("name", sorted(available()))
def test_every_printed_qr_decodes_to_its_token_and_verifies(name, tmp_path):
    layout = load_layout(name)
    people = PEOPLE + _many(layout.per_page * 2 - len(PEOPLE) % layout.per_page)
    images = _rasterise(render_badges(people, layout), tmp_path)
    assert len(images) == math.ceil(len(people) / layout.per_page) * (2 if layout.duplex else 1)
    decoded = []
    for image in images:
        decoded += [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    assert sorted(decoded) == sorted(p.qr_token for p in people)
    scanner = tokens.OfflineVerifier(KEY, {**{i: 1 for i in range(1, 200)}, 5: 2})
    assert all(scanner.check(text).ok for text in decoded)

"""CME certificates, transcripts and faculty letters as PDF (ReportLab canvas, no Platypus:
a certificate must render in a few milliseconds for the batch of a whole meeting).

The certificate draws only the frozen content of its record (confops/cme/certificates.py) and
a QR to the public verify page; the layout is a TOML file in badges/certificates/.
"""

from __future__ import annotations

import io
import tomllib
from dataclasses import dataclass
from datetime import date
from functools import cache

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import letter
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from confops.documents.bidi_text import isolate, visual
from confops.documents.fonts import register_fonts
from confops.documents.layouts import MM
from confops.documents.qr_bytes import draw_url_qr
from confops.resources import shipped

LAYOUTS = shipped("badges") / "certificates"
STANDARD = {False: "Helvetica", True: "Helvetica-Bold"}
# A CME activity's learning format in words (cme.tables.CmeActivity.learning_format's values), on
# certificates and the coordinator's pages alike.
FORMATS = {"live": "Live activity", "online": "Live online activity", "enduring": "Enduring material"}


@dataclass(frozen=True)
class CertificateLayout:
    data: dict

    def __getitem__(self, key: str) -> dict:
        return self.data[key]


@cache
def load_certificate_layout(name: str = "letter-landscape") -> CertificateLayout:
    data = tomllib.loads((LAYOUTS / f"{name}.toml").read_text(encoding="utf-8"))
    for section in ("page", "title", "provider", "name", "body", "statements", "qr", "serial"):
        if section not in data:
            raise ValueError(f"badges/certificates/{name}.toml: [{section}] is missing")
    return CertificateLayout(data)


def _font(text: str, bold: bool) -> str:
    """Helvetica (not embedded) when the text fits its encoding, the shipped DejaVu otherwise:
    most certificates then embed no font subset, which is most of a PDF's bytes and time."""
    try:
        text.encode("cp1252")
        return STANDARD[bold]
    except UnicodeEncodeError:
        return register_fonts()[1 if bold else 0]


def _centered(pdf: Canvas, text: str, bold: bool, size: float, y: float, width: float, min_size: float | None = None):
    text = visual(text)
    font = _font(text, bold)
    if min_size:
        while size > min_size and pdfmetrics.stringWidth(text, font, size) > width - 40 * MM:
            size -= 1
    pdf.setFont(font, size)
    pdf.drawCentredString(width / 2, y, text)


def _paragraph(pdf: Canvas, text: str, size: float, x: float, y: float, width: float, leading: float) -> float:
    font = _font(text, False)
    pdf.setFont(font, size)
    for line in simpleSplit(text, font, size, width):
        pdf.drawString(x, y, visual(line))
        y -= leading
    return y


def draw_certificate(pdf: Canvas, c: dict, serial: str, verify_url: str, layout: CertificateLayout) -> None:
    page = layout["page"]
    w, h = page["width_mm"] * MM, page["height_mm"] * MM
    m = page["margin_mm"] * MM
    pdf.setStrokeColor(HexColor(page["border_color"]))
    pdf.setLineWidth(page["border_width_pt"])
    pdf.rect(m, m, w - 2 * m, h - 2 * m)
    pdf.setFillColor(HexColor("#000000"))
    top = lambda section: h - layout[section]["y_mm"] * MM  # noqa: E731
    _centered(pdf, c["provider"], False, layout["provider"]["size_pt"], top("provider"), w)
    _centered(pdf, c["title"], True, layout["title"]["size_pt"], top("title"), w)
    pdf.setFont(STANDARD[False], 12)
    pdf.drawCentredString(w / 2, top("title") - 12 * MM, "This certifies that")
    name = isolate(c["learner"]) + (f", {isolate(c['credentials'])}" if c.get("credentials") else "")
    _centered(pdf, name, True, layout["name"]["size_pt"], top("name"), w, layout["name"]["min_size_pt"])
    b = layout["body"]
    if c["kind"] == "faculty":
        lines = [f"served as faculty for {c['activity']}", f"{c['dates']} · {c['location']}", *c["lines"]]
    else:
        fmt = FORMATS.get(c["format"], c["format"])
        lines = [f"participated in {c['activity']}", f"{c['dates']} · {fmt} · {c['location']}",
                 f"and claimed {c['credit']} {c['credit_label']}."]
        if c.get("completed_on"):
            lines.append(f"Date of completion: {date.fromisoformat(c['completed_on']):%B %-d, %Y}.")
        if c["credit_type"] == "participation":
            lines.append(f"The activity was designated for a maximum of {c['designated']} credit(s) "
                         f"(see the statement below).")
    y = h - b["y_mm"] * MM
    for line in lines:
        y = _paragraph(pdf, line, b["size_pt"], b["x_mm"] * MM, y, b["width_mm"] * MM, b["leading_pt"])
    s = layout["statements"]
    y = h - s["y_mm"] * MM
    for text in (c.get("designation_statement"), c.get("accreditation_statement")):
        if text:
            y = _paragraph(pdf, text, s["size_pt"], s["x_mm"] * MM, y, s["width_mm"] * MM,
                           s["leading_pt"]) - s["leading_pt"] / 2
    q = layout["qr"]
    size = q["size_mm"] * MM
    draw_url_qr(pdf, verify_url, q["x_mm"] * MM, h - q["y_mm"] * MM - size, size)
    se = layout["serial"]
    # Serial and the whole verify address, never cut and never past the border: an address (no
    # spaces to wrap at) is broken where a line is full, and set smaller when it needs more than
    # three lines; the serial line is set smaller when it would not fit.
    room = w - m - 3 * MM - se["x_mm"] * MM
    x, y = se["x_mm"] * MM, h - se["y_mm"] * MM
    label = f"Serial {serial}"
    size = se["size_pt"]
    while size > 5 and pdfmetrics.stringWidth(label, STANDARD[False], size) > room:
        size -= 0.5
    pdf.setFont(STANDARD[False], size)
    pdf.drawString(x, y, label)
    pdf.setFont(STANDARD[False], se["size_pt"])
    pdf.drawString(x, y - 9, "Verify: scan the code or open")
    size = se["size_pt"]
    while size > 5 and len(url_lines(verify_url, STANDARD[False], size, room)) > 3:
        size -= 0.5
    pdf.setFont(STANDARD[False], size)
    for n, line in enumerate(url_lines(verify_url, STANDARD[False], size, room)):
        pdf.drawString(x, y - 17.5 - n * (size + 0.5), line)


def url_lines(url: str, font: str, size: float, width: float) -> list[str]:
    """An address broken into lines no wider than `width`, after a slash where one is near."""
    lines, line = [], ""
    for ch in url:
        if line and pdfmetrics.stringWidth(line + ch, font, size) > width:
            cut = line.rfind("/") + 1
            if 0 < cut < len(line) and len(line) - cut < 12:
                lines.append(line[:cut])
                line = line[cut:]
            else:
                lines.append(line)
                line = ""
        line += ch
    return [*lines, line] if line else lines


def render_certificate(content: dict, serial: str, verify_url: str, layout: CertificateLayout | None = None) -> bytes:
    layout = layout or load_certificate_layout()
    buf = io.BytesIO()
    page = layout["page"]
    pdf = Canvas(buf, pagesize=(page["width_mm"] * MM, page["height_mm"] * MM), pageCompression=0)
    pdf.setTitle(f"{content['title']} {serial}")
    draw_certificate(pdf, content, serial, verify_url, layout)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


def render_transcript(name: str, email: str, rows: list[dict], issued_on: str) -> bytes:
    """All of a person's certificates: one line each, with status and serial."""
    regular, bold = register_fonts()
    buf = io.BytesIO()
    pdf = Canvas(buf, pagesize=letter, pageCompression=0)
    pdf.setTitle(f"CME transcript: {name}")
    w, h = letter
    y = h - 72

    def header() -> float:
        pdf.setFont(bold, 16)
        pdf.drawString(54, h - 54, visual(f"CME transcript — {isolate(name)}"))
        pdf.setFont(regular, 9)
        pdf.drawString(54, h - 68, f"{email} · as of {issued_on} · each serial can be checked at /verify/<serial>")
        return h - 96

    y = header()
    total: dict[str, int] = {}
    for r in rows:
        if y < 90:
            pdf.showPage()
            y = header()
        c = r["c"]
        pdf.setFont(bold, 10)
        pdf.drawString(54, y, c["activity"][:80])
        pdf.setFont(regular, 9)
        credit = f"{c['credit']} {c['credit_label']}" if c["kind"] == "learner" else "Faculty"
        pdf.drawString(54, y - 12, f"{c['dates']} · {c['provider']} · {credit}")
        pdf.drawString(54, y - 24, f"Serial {r['serial']} · {r['status']}")
        if r["status"] == "valid" and c["kind"] == "learner":
            total[c["credit_label"]] = total.get(c["credit_label"], 0) + c["quarters"]
        y -= 40
    pdf.setFont(bold, 10)
    for label, quarters in sorted(total.items()):
        pdf.drawString(54, y, f"Total valid: {quarters / 4:.2f} {label}")
        y -= 14
    if not rows:
        pdf.setFont(regular, 10)
        pdf.drawString(54, y, "No certificates yet.")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()

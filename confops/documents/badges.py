"""Badges drawn with ReportLab from plain data and a layout (confops/documents/layouts.py).

The renderer takes `BadgeData`, never registration rows: whoever has the people (speakers
today, attendees after the registration work) builds the list, sorts it (`sort_key`) and
passes it in. Pages are written as they are drawn and nothing but vector operators and one
font subset per document is kept, so memory stays flat for a thousand badges.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import BinaryIO

from reportlab.lib.colors import Color, HexColor
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from confops.documents.bidi_text import isolate, visual
from confops.documents.fonts import FONT_FILES, register_fonts
from confops.documents.layouts import MM, Element, Layout
from confops.documents.qr import draw_qr
from confops.registration.name_keys import name_key


@dataclass(frozen=True)
class BadgeData:
    first_name: str
    full_name: str
    last_name: str = ""
    credentials: str = ""
    pronouns: str = ""
    institution: str = ""
    city_region: str = ""
    role: str = "attendee"  # attendee, faculty, staff, group_leader
    qr_token: str = ""
    group_label: str = ""
    schedule: tuple[str, ...] = field(default_factory=tuple)
    event_title: str = ""
    group_lines: tuple[str, ...] = field(default_factory=tuple)  # small-group assignment (groups area)
    person_key: str = ""  # "attendee-12", "speaker-3", "user-5": what a print is recorded against
    attendee_id: int | None = None
    token_version: int = 0
    category: str = ""  # registration category code; "" for people without a registration


def sort_key(badge: BadgeData) -> tuple:
    """Last name, then first name, compared without accents or case, so that Ødegaard sits
    with the O's, Łukasiewicz with the L's and Đặng with the D's, and Greek or Cyrillic names
    sort by their own letters (after the Latin ones, as a printed index would); the same
    names in the order people registered, those without a registration after them. It is the
    database's order of registrations (`name_key`, then id: registration/name_keys.py)."""
    last = badge.last_name or (badge.full_name.split()[-1] if badge.full_name.split() else "")
    key = name_key(last, badge.first_name)
    return (key, 0, badge.attendee_id, "") if badge.attendee_id is not None else (key, 1, 0, badge.person_key)


@cache
def _color(hex_code: str) -> Color:
    return HexColor(hex_code)


def variables(badge: BadgeData, layout: Layout) -> dict[str, str]:
    role_label = layout.roles.get(badge.role, ("", badge.role))[1]
    # Each value isolated: a name's direction (or a direction control in it) stays inside it.
    full_name, credentials = isolate(badge.full_name), isolate(badge.credentials)
    with_credentials = f"{full_name}, {credentials}" if badge.credentials else full_name
    return {
        "first_name": isolate(badge.first_name), "last_name": isolate(badge.last_name), "full_name": full_name,
        "credentials": credentials, "name_with_credentials": with_credentials,
        "pronouns": isolate(badge.pronouns), "institution": isolate(badge.institution),
        "city_region": isolate(badge.city_region), "role_label": role_label,
        "group_label": isolate(badge.group_label), "event_title": isolate(badge.event_title),
    }


def line_source(badge: BadgeData, source: str) -> list[str]:
    """The lines a `lines` element prints: the personal schedule, the small-group assignment,
    or both (the group first: it is what people look for on the back of a badge)."""
    if source == "groups":
        return list(badge.group_lines)
    if source == "groups_and_schedule":
        return [*badge.group_lines, *badge.schedule]
    return list(badge.schedule)


def fitted_size(text: str, font: str, size: float, min_size: float, width: float) -> float:
    """The largest size ≤ `size` (not below `min_size`) at which `text` fits `width` points."""
    natural = pdfmetrics.stringWidth(text, font, size)
    if natural <= width:
        return size
    return max(min_size, size * width / natural)


class _Drawer:
    def __init__(self, canvas: Canvas, layout: Layout):
        self.c = canvas
        self.layout = layout
        self.page_h = layout.page_height * MM

    def label(self, badge: BadgeData, elements: Iterable[Element], origin_mm: tuple[float, float]) -> None:
        ox, oy = origin_mm[0] * MM, self.page_h - origin_mm[1] * MM  # label's top-left in points
        values = variables(badge, self.layout)
        for el in elements:
            x, top = ox + el.x * MM, oy - el.y * MM
            w, h = el.width * MM, el.height * MM
            if el.kind == "band":
                color, label = self.layout.roles.get(badge.role, ("#777777", badge.role))
                self.c.setFillColor(_color(color))
                self.c.rect(x, top - h, w, h, stroke=0, fill=1)
                self.text(label, el, x, top, w, h)
            elif el.kind == "text":
                text = " ".join(el.text.format_map(values).split())
                if text:
                    self.text(text, el, x, top, w, h)
            elif el.kind == "lines":
                self.lines(line_source(badge, el.source), el, x, top, w, h)
            elif el.kind == "qr" and badge.qr_token:
                draw_qr(self.c, badge.qr_token, x, top - h, w)
            elif el.kind == "image" and el.path is not None:
                self.c.drawImage(str(el.path), x, top - h, w, h, preserveAspectRatio=True, mask="auto")

    def text(self, text: str, el: Element, x: float, top: float, w: float, h: float) -> None:
        text = visual(text)
        font = FONT_FILES[el.font][0]
        size = fitted_size(text, font, min(el.size_pt, h / 0.95), el.min_size_pt, w)
        baseline = top - h / 2 - size * 0.36  # centres capitals and x-height in the box
        self.c.setFillColor(_color(el.color))
        natural = pdfmetrics.stringWidth(text, font, size)
        if natural > w:  # too long even at the smallest size: narrow the letters, never cut them
            self.narrowed(text, font, size, x, baseline, w, w / natural)
            return
        self.c.setFont(font, size)
        if el.align == "center":
            self.c.drawCentredString(x + w / 2, baseline, text)
        elif el.align == "right":
            self.c.drawRightString(x + w, baseline, text)
        else:
            self.c.drawString(x, baseline, text)

    def narrowed(self, text: str, font: str, size: float, x: float, baseline: float, w: float, scale: float) -> None:
        obj = self.c.beginText(x, baseline)
        obj.setFont(font, size)
        obj.setHorizScale(scale * 100)
        obj.textOut(text)
        self.c.drawText(obj)

    def lines(self, lines: list[str], el: Element, x: float, top: float, w: float, h: float) -> None:
        font = FONT_FILES[el.font][0]
        step = el.size_pt + el.line_gap_pt
        fits = max(0, int((h + el.line_gap_pt) // step))
        if len(lines) > fits:
            lines = lines[: max(0, fits - 1)] + [f"+ {len(lines) - fits + 1} more"]
        self.c.setFillColor(_color(el.color))
        for i, line in enumerate(lines):
            line = visual(isolate(line))
            size = fitted_size(line, font, el.size_pt, el.min_size_pt, w)
            self.c.setFont(font, size)
            self.c.drawString(x, top - el.size_pt - i * step, line)


def write_badges(out: BinaryIO, badges: Iterable[BadgeData], layout: Layout, *,
                 on_badge: Callable[[BadgeData], None] | None = None, title: str = "Badges") -> int:
    """Draw every badge into `out` (fronts, and after each duplex sheet its mirrored back
    sheet); returns the number of pages. `badges` may be a generator: each sheet is drawn
    and finished before the next badges are read."""
    register_fonts()
    canvas = Canvas(out, pagesize=(layout.page_width * MM, layout.page_height * MM), pageCompression=1)
    canvas.setTitle(title)
    canvas.setCreator("confops")
    drawer = _Drawer(canvas, layout)
    pages = 0
    sheet: list[BadgeData] = []

    def finish_sheet() -> None:
        nonlocal pages
        for i, badge in enumerate(sheet):
            drawer.label(badge, layout.front, layout.label_origin(i))
            if on_badge:
                on_badge(badge)
        canvas.showPage()
        pages += 1
        if layout.duplex:
            for i, badge in enumerate(sheet):
                drawer.label(badge, layout.back, layout.label_origin(i, back=True))
            canvas.showPage()
            pages += 1
        sheet.clear()

    for badge in badges:
        sheet.append(badge)
        if len(sheet) == layout.per_page:
            finish_sheet()
    if sheet:
        finish_sheet()
    canvas.save()
    return pages


def render_badges(badges: list[BadgeData], layout: Layout) -> bytes:
    buffer = io.BytesIO()
    write_badges(buffer, badges, layout)
    return buffer.getvalue()

"""A Balint group's roster as a PDF for its leaders: one page with the members (name,
credentials, profession, institution), the leaders, and a tick column per group meeting to mark
attendance on paper. Never case content: the system holds none."""

from __future__ import annotations

import io

from reportlab.lib.pagesizes import landscape, letter
from reportlab.lib.units import inch
from reportlab.pdfgen.canvas import Canvas

from confops.core.clock import local
from confops.documents.fonts import register_fonts


def _fit(pdf: Canvas, text: str, font: str, size: float, width: float) -> str:
    while text and pdf.stringWidth(text, font, size) > width:
        text = text[:-2] + "…"
    return text


def roster_pdf(data: dict) -> bytes:
    """`data` is `confops.groups.published.roster()`'s answer."""
    event, group, members, leaders, sessions = (data["event"], data["group"], data["members"], data["leaders"],
                                                data["sessions"])
    tz = event["timezone"]
    regular, heavy = register_fonts()
    buf = io.BytesIO()
    size = landscape(letter)
    pdf = Canvas(buf, pagesize=size, pageCompression=0)
    title = f"{event['title']} · Balint group {group['number']}"
    pdf.setTitle(title)
    left, top = 0.6 * inch, size[1] - 0.6 * inch
    cols = [(left, 2.6 * inch, "Name"), (left + 2.7 * inch, 1.9 * inch, "Profession"),
            (left + 4.7 * inch, 2.6 * inch, "Institution")]
    tick_x = left + 7.4 * inch
    tick_w = min(0.75 * inch, (size[0] - 0.6 * inch - tick_x) / max(1, len(sessions)))

    def header() -> float:
        y = top
        pdf.setFont(heavy, 15)
        pdf.drawString(left, y, _fit(pdf, title, heavy, 15, size[0] - 2 * left))
        y -= 20
        pdf.setFont(regular, 10)
        room = group["room"] or "room to be announced"
        lead = "; ".join(f"{x['name']} ({x['discipline'].replace('_', ' ')})" for x in leaders) or "no leader yet"
        pdf.drawString(left, y, _fit(pdf, f"Room {room} · Leaders: {lead}", regular, 10, size[0] - 2 * left))
        y -= 14
        pdf.drawString(left, y, "Confidential: names only. Case content is never written down.")
        y -= 22
        pdf.setFont(heavy, 9)
        for x, _, label in cols:
            pdf.drawString(x, y, label)
        for i, s in enumerate(sessions):
            when = local(s["starts_at"], tz)
            pdf.drawCentredString(tick_x + tick_w * (i + 0.5), y + 9, when.strftime("%a"))
            pdf.drawCentredString(tick_x + tick_w * (i + 0.5), y, when.strftime("%-I:%M%p").lower())
        y -= 6
        pdf.line(left, y, size[0] - left, y)
        return y - 16

    y = header()
    for m in members:
        if y < 0.8 * inch:
            pdf.showPage()
            y = header()
        name = f"{m['first_name']} {m['last_name']}" + (f", {m['credentials']}" if m["credentials"] else "")
        pdf.setFont(regular, 10)
        for (x, width, _), text in zip(cols, (name, m["profession"] or "", m["institution"] or ""), strict=True):
            pdf.drawString(x, y, _fit(pdf, text, regular, 10, width))
        for i, s in enumerate(sessions):
            cx = tick_x + tick_w * (i + 0.5)
            pdf.rect(cx - 5, y - 2, 10, 10)
            if data["present"].get((s["id"], m["attendee_id"])):
                pdf.setFont(heavy, 10)
                pdf.drawCentredString(cx, y, "✓")
                pdf.setFont(regular, 10)
        y -= 20
    pdf.setFont(regular, 8)
    pdf.drawString(left, 0.45 * inch, f"{len(members)} members · printed from confops")
    pdf.showPage()
    pdf.save()
    return buf.getvalue()

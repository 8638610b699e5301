"""The certificate of attendance as a PDF (ReportLab canvas, US-letter landscape): the learner,
the event, its dates and place, the sessions and hours attended, and a QR code to the same
public /verify/<serial> page the CME certificates use, signed by the organizer's key as they are."""

from __future__ import annotations

import io

from reportlab.lib.colors import HexColor
from reportlab.lib.pagesizes import landscape, letter
from reportlab.pdfgen.canvas import Canvas

from confops.core.clock import local
from confops.documents.bidi_text import isolate, visual
from confops.documents.fonts import register_fonts
from confops.documents.qr_bytes import draw_url_qr


def _dates(c: dict) -> str:
    a, b = local(c["starts_at"], c["timezone"]), local(c["ends_at"], c["timezone"])
    if a.date() == b.date():
        return a.strftime("%B %-d, %Y")
    return f"{a.strftime('%B %-d, %Y')} – {b.strftime('%B %-d, %Y')}"


def hours_text(minutes: int) -> str:
    hours = round(minutes / 60 * 4) / 4  # quarter hours, as people read them
    return f"{hours:g} hour{'s' if hours != 1 else ''}"


def render_attendance_certificate(c: dict, verify_url: str) -> bytes:
    regular, bold = register_fonts()[0], register_fonts()[1]
    w, h = landscape(letter)
    buf = io.BytesIO()
    pdf = Canvas(buf, pagesize=(w, h), pageCompression=0)
    pdf.setTitle(f"Certificate of attendance {c['serial']}")
    pdf.setStrokeColor(HexColor("#2f6f73"))
    pdf.setLineWidth(3)
    pdf.rect(28, 28, w - 56, h - 56)
    place = "Online" if c["online"] else ", ".join(x for x in (c["city"], c["region"]) if x)
    lines = [
        (regular, 14, c["provider"]),
        (bold, 30, "Certificate of Attendance"),
        (regular, 13, "This certifies that"),
        (bold, 26, isolate(c["learner_name"])),
        (regular, 14, f"attended {c['event_title']}"),
        (regular, 13, f"{_dates(c)} · {place}"),
        (regular, 13, f"{c['sessions_attended']} of {c['sessions_total']} sessions, "
                      f"{hours_text(c['minutes_attended'])} of attendance."),
    ]
    if c.get("board_credit"):
        lines.append((bold, 13, f"Board credit granted: {c['board_credit']}"))
    lines.append((regular, 10, "This is a certificate of attendance; it does not award continuing-education credit."))
    y = h - 90
    for font, size, text in lines:
        pdf.setFont(font, size)
        pdf.drawCentredString(w / 2, y, visual(text))
        y -= size + 18
    draw_url_qr(pdf, verify_url, w - 150, 50, 96)
    pdf.setFont(regular, 9)
    pdf.drawString(50, 70, f"Serial {c['serial']} · issued {c['issued_at'].date().isoformat()}")
    pdf.drawString(50, 58, "Verify: scan the code or open " + verify_url.split("://", 1)[-1])
    pdf.showPage()
    pdf.save()
    return buf.getvalue()


async def signed_attendance_certificate(c: dict, base_url: str) -> bytes:
    """The PDF with the short verify address whole, PAdES-signed by the same organizer key as the
    CME certificates, so a reader's PDF tool (and /verify) shows any edit."""
    from confops.cme.batch import verify_url
    from confops.cme.certificate_pdf import sign_issued, signer_for_event

    pdf = render_attendance_certificate(c, verify_url(base_url, c["serial"]))
    return sign_issued(pdf, c["serial"], await signer_for_event(c["event"]))

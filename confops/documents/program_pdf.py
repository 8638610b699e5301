"""The printable program: agenda by day, the faculty with their disclosures, CME statements.

Learners must see every disclosure before the activity, so the program prints them in full
(companies by name only, never logos). Names come in every script: the project's own Unicode
font (badges/fonts) is used.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

from confops.core.clock import local
from confops.documents.fonts import register_fonts
from confops.events.agenda import build_agenda
from confops.events.labels import SESSION_KIND, SPEAKER_ROLE, credit_text
from confops.events.schemas import EventDetail
from confops.speakers.disclosures import LearnerDisclosure


def _disclosure_text(person: LearnerDisclosure) -> str:
    if person.pending:
        return "Disclosure pending."
    return "; ".join(person.lines) if person.lines else "Nothing to disclose."


def render(event: EventDetail, disclosures: dict[int, list[LearnerDisclosure]], *,
           accreditation: str, designation: str, planners: list[LearnerDisclosure] = ()) -> bytes:
    regular, bold = register_fonts()
    base = getSampleStyleSheet()
    body = ParagraphStyle("body", parent=base["BodyText"], fontName=regular, fontSize=9.5, leading=12)
    small = ParagraphStyle("small", parent=body, fontSize=8.5, leading=10.5, leftIndent=12)
    h1 = ParagraphStyle("h1", parent=base["Title"], fontName=bold, fontSize=18)
    h2 = ParagraphStyle("h2", parent=base["Heading2"], fontName=bold, fontSize=13)
    h3 = ParagraphStyle("h3", parent=base["Heading3"], fontName=bold, fontSize=11)
    tz = event.timezone
    story = [Paragraph(escape(event.title), h1),
             Paragraph(escape(f"{local(event.starts_at, tz):%B %-d, %Y} – {local(event.ends_at, tz):%B %-d, %Y}"
                              f" · {event.venue_name or 'Online'} · times in {tz}"), body),
             Spacer(1, 8), Paragraph("Agenda", h2)]
    for day in build_agenda(event.sessions, tz, [r.name for r in event.rooms]):
        story.append(Paragraph(escape(day.slots[0].starts_at.strftime("%A, %B %-d")), h3))
        for slot in day.slots:
            for s in slot.sessions:
                when = f"{slot.starts_at:%-I:%M %p}–{slot.ends_at:%-I:%M %p}"
                bits = [SESSION_KIND.get(s.kind, s.kind)] + ([s.room] if s.room else [])
                if s.credit_quarters:
                    bits.append(f"{credit_text(s.credit_quarters)} CME credit")
                story.append(Paragraph(f"<b>{escape(when)}</b> {escape(s.title)} "
                                       f"<font size=8>({escape(' · '.join(bits))})</font>", body))
                if s.speakers:
                    story.append(Paragraph(escape("; ".join(
                        f"{p.name}{', ' + p.credentials if p.credentials else ''}" for p in s.speakers)), small))
    story += [Spacer(1, 8), Paragraph("Faculty and disclosures", h2),
              Paragraph("Everyone who controls the content of this activity disclosed all financial relationships "
                        "with ineligible companies in the past 24 months. Relevant relationships were mitigated.",
                        body)]
    seen: dict[str, LearnerDisclosure] = {}
    for s in event.sessions:
        for person in disclosures.get(s.id, []):
            seen.setdefault(person.name, person)
    roles: dict[str, str] = {}
    for s in event.sessions:
        for p in s.speakers:
            roles.setdefault(p.name, SPEAKER_ROLE.get(p.role, p.role))
    for name in sorted(seen):
        person = seen[name]
        title = f"{name}{', ' + person.credentials if person.credentials else ''}"
        text = _disclosure_text(person)
        story.append(Paragraph(f"<b>{escape(title)}</b> ({escape(roles.get(name, 'Faculty'))}): {escape(text)}", body))
    for person in planners:
        title = f"{person.name}{', ' + person.credentials if person.credentials else ''}"
        story.append(Paragraph(f"<b>{escape(title)}</b> ({escape(person.role.capitalize())}): "
                               f"{escape(_disclosure_text(person))}", body))
    if event.cme_enabled:
        story += [Spacer(1, 8), Paragraph("Continuing medical education", h2)]
        for statement in (accreditation, designation):
            if statement:
                story.append(Paragraph(escape(statement), body))
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=LETTER, title=f"{event.title} – program", author="confops",
                            leftMargin=0.8 * inch, rightMargin=0.8 * inch, topMargin=0.7 * inch,
                            bottomMargin=0.7 * inch)
    doc.build(story)
    return out.getvalue()

"""A name with a right-to-left override (U+202E) must not turn the text around it on a badge or a
certificate, and a right-to-left name must come out right to left (the PDF holds each line in
the order it is shown)."""

from __future__ import annotations

import io

from pypdf import PdfReader

from confops.checkin import keys as keyring
from confops.checkin import tokens
from confops.documents.badges import BadgeData, render_badges
from confops.documents.bidi_text import visual
from confops.documents.layouts import load_layout

KEY = keyring.new_key(12)
RLO, PDF_MARK = "\u202e", "\u202c"


def _runs(pdf: bytes) -> list[str]:
    runs: list[str] = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        page.extract_text(visitor_text=lambda text, *_: runs.extend(t for t in text.splitlines() if t.strip()))
    return runs


def test_an_override_in_a_name_reverses_nothing_on_a_badge():
    eve = BadgeData(f"{RLO}Eve", f"{RLO}Eve Mallory", f"Mallory{RLO}", "MD", "", "General Hospital",
                    "Springfield", "attendee", tokens.issue(KEY, 1, 1))
    runs = _runs(render_badges([eve], load_layout("badge-4x3")))
    text = "\n".join(runs)
    assert RLO not in text and PDF_MARK not in text
    assert "Eve Mallory, MD" in text and "General Hospital" in text and "Springfield" in text


def test_a_hebrew_name_is_shown_right_to_left_and_its_credentials_stay_after_it(monkeypatch):
    name = "שרה כהן"
    shown = visual(f"\u2068{name}\u2069, MD")
    assert shown == "ןהכ הרש, MD"  # drawn left to right: the first word at the right, ", MD" after the name
    # What goes into the PDF (text extractors reorder right-to-left text themselves, so they
    # cannot tell the drawing order): the strings handed to the canvas.
    from reportlab.pdfgen.canvas import Canvas

    drawn: list[str] = []
    for method in ("drawString", "drawCentredString", "drawRightString"):
        original = getattr(Canvas, method)
        monkeypatch.setattr(Canvas, method, lambda self, x, y, text, *a, _o=original, **k: (
            drawn.append(text), _o(self, x, y, text, *a, **k))[1])
    dana = BadgeData("שרה", name, "כהן", "MD", "", "Hadassah", "Jerusalem", "attendee", tokens.issue(KEY, 2, 1))
    render_badges([dana], load_layout("badge-4x3"))
    assert "ןהכ הרש, MD" in drawn and "Hadassah" in drawn and "הרש" in drawn


def test_an_override_in_a_learners_name_reverses_nothing_on_a_certificate():
    from confops.documents.certificates import render_certificate

    content = {"provider": "American Balint Society", "title": "Certificate", "learner": f"Eve{RLO} Mallory",
               "credentials": "MD", "kind": "learner", "format": "live", "activity": "National Meeting",
               "dates": "May 1-3, 2027", "location": "Chicago, IL", "credit": "3.50", "credit_label": "credits",
               "credit_type": "ama_pra_1", "designated": "12", "statements": [], "lines": []}
    try:
        pdf = render_certificate(content, "ABC-123", "https://example.org/verify/ABC-123")
    except KeyError as missing:  # the content a certificate needs grew: name it here
        raise AssertionError(f"certificate content lacks {missing}") from None
    text = "\n".join(_runs(pdf))
    assert RLO not in text and "Eve Mallory, MD" in text and "National Meeting" in text

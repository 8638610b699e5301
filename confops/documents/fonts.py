"""The fonts shipped with the project, used by every PDF, so that names in Latin with
diacritics, Greek, Cyrillic and Vietnamese print the same on badges, programs, receipts and
certificates whatever the machine has installed."""

from __future__ import annotations

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

from confops.resources import shipped

FONT_DIR = shipped("badges") / "fonts"
FONT_FILES = {"regular": ("ConfopsSans", "DejaVuSans.ttf"), "bold": ("ConfopsSans-Bold", "DejaVuSans-Bold.ttf")}


def register_fonts() -> tuple[str, str]:
    """Register once per process; returns the (regular, bold) font names."""
    for name, filename in FONT_FILES.values():
        if name not in pdfmetrics.getRegisteredFontNames():
            pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / filename)))
    return FONT_FILES["regular"][0], FONT_FILES["bold"][0]

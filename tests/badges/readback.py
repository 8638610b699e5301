"""Reading badge PDFs back as a person and a scanner would: text runs and decoded QR codes."""

from __future__ import annotations

import io
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader


def text_runs(pdf: bytes) -> list[list[str]]:
    """Each page's text runs (one per string drawn)."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        runs: list[str] = []
        page.extract_text(visitor_text=lambda text, *_, runs=runs: runs.extend(
            t for t in text.splitlines() if t.strip()))
        pages.append(runs)
    return pages


def decoded_qr_codes(pdf: bytes) -> list[str]:
    """Rasterise at 150 dpi with pdftoppm and decode every QR code on every page."""
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is missing: install Debian's poppler-utils to rasterise badges")
    found = []
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "badges.pdf"
        source.write_bytes(pdf)
        subprocess.run(["pdftoppm", "-r", "150", "-png", str(source), str(Path(tmp) / "page")], check=True,
                       timeout=120)
        for png in sorted(Path(tmp).glob("page-*.png")):
            with Image.open(png) as image:
                found += [r.text for r in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)]
    return found

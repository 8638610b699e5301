"""QR codes drawn as vector into a ReportLab canvas.

Measured (STACK.md): most of the cost of a QR is qrcode's search for the best of 8 mask
patterns (5–7 ms per code, ~1.3 ms with a fixed mask), and drawing one rectangle per module
or embedding a PNG is slower and larger than drawing runs. So: a fixed mask, and each row's
runs of dark modules become rectangles of one path filled once. Any mask gives a valid code;
the search only picks the one with the fewest look-alike patterns, which matters little for
short, machine-made tokens (the tests decode every printed code with zxing-cpp).
"""

from __future__ import annotations

import qrcode
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfgen.canvas import Canvas

MASK_PATTERN = 2
QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def matrix(data: str, *, error_correction: int = ERROR_CORRECT_M) -> list[list[bool]]:
    """The module matrix without quiet zone (rows top to bottom)."""
    code = qrcode.QRCode(error_correction=error_correction, border=0, mask_pattern=MASK_PATTERN)
    code.add_data(data)
    code.make(fit=True)
    return code.get_matrix()


def dark_runs(modules: list[list[bool]]) -> list[tuple[int, int, int]]:
    """(row, first column, length) for every horizontal run of dark modules."""
    runs = []
    for r, row in enumerate(modules):
        start = None
        for c, dark in enumerate(row):
            if dark and start is None:
                start = c
            elif not dark and start is not None:
                runs.append((r, start, c - start))
                start = None
        if start is not None:
            runs.append((r, start, len(row) - start))
    return runs


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the code for `data` in the square with lower-left corner (x, y) and side `size`
    (points), the quiet zone included in that square (its white is the label's own)."""
    modules = matrix(data)
    n = len(modules)
    unit = size / (n + 2 * QUIET_ZONE)
    left = x + QUIET_ZONE * unit
    top = y + size - QUIET_ZONE * unit
    path = canvas.beginPath()
    for r, c, length in dark_runs(modules):
        path.rect(left + c * unit, top - (r + 1) * unit, length * unit, unit)
    canvas.saveState()
    canvas.setFillColorRGB(0, 0, 0)
    canvas.drawPath(path, stroke=0, fill=1)
    canvas.restoreState()

"""Fast QR matrices for short byte strings (the verify URLs on certificates).

qrcode spends most of a certificate's time in its pure-Python encoder (STACK.md). URLs are
byte mode; this encodes them directly (level M, the project's fixed mask) with the
Reed–Solomon tables and per-version templates of confops/documents/qr.py, so a code costs a
fraction of a millisecond. A test checks the result against qrcode's own matrix, module for
module, and decodes rendered certificates with zxing-cpp.
"""

from __future__ import annotations

from confops.documents.qr import _finish_codewords, _place, draw_qr, draw_rows

BYTE_CAPACITY_M = [0, 14, 26, 42, 62, 84, 106, 122, 152, 180]  # bytes, versions 1–9 (8-bit count)


def _codewords(data: bytes, version: int) -> list[int]:
    acc = (0b0100 << 8) | len(data)  # byte mode, 8-bit count (versions 1–9)
    for b in data:
        acc = (acc << 8) | b
    return _finish_codewords(acc, 12 + 8 * len(data), version)


def byte_rows(text: str) -> list[str] | None:
    """Rows of "0"/"1" for `text` in byte mode, or None when it is too long for versions 1–9."""
    data = text.encode("utf-8")
    version = next((v for v in range(1, 10) if len(data) <= BYTE_CAPACITY_M[v]), None)
    if version is None:
        return None
    return _place(version, _codewords(data, version))


def draw_url_qr(canvas, text: str, x: float, y: float, size: float) -> None:
    """Like qr.draw_qr (same quiet zone and vector runs), through the byte-mode fast path."""
    rows = byte_rows(text)
    if rows is None:
        draw_qr(canvas, text, x, y, size)
    else:
        draw_rows(canvas, rows, x, y, size)

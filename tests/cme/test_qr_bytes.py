"""The byte-mode fast path equals qrcode's own matrix (same level and mask), module for module."""

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from confops.cme.serials import new_serial
from confops.documents.qr import MASK_PATTERN
from confops.documents.qr_bytes import byte_rows


def test_fast_byte_mode_matches_qrcode():
    for i in range(120):
        text = f"https://events.example.org/verify/{new_serial()}?é"[: 1 + i + (i % 7)]
        reference = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN)
        reference.add_data(text.encode("utf-8"), optimize=0)
        reference.make(fit=True)
        expected = ["".join("1" if m else "0" for m in row) for row in reference.get_matrix()]
        assert byte_rows(text) == expected, text
    assert byte_rows("x" * 181) is None

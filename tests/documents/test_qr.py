"""The fast QR encoder for check-in tokens matches qrcode's own, module for module."""

import random

import qrcode
from qrcode.constants import ERROR_CORRECT_M

from confops.checkin import keys, tokens
from confops.documents import qr


def _reference(data: str) -> list[list[bool]]:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=qr.MASK_PATTERN)
    code.add_data(data)
    code.make(fit=True)
    return [[bool(m) for m in row] for row in code.get_matrix()]


def test_tokens_and_digit_strings_of_every_numeric_version_match_qrcode():
    rng = random.Random(3)
    key = keys.new_key(rng.randrange(1, 1 << 32))
    samples = [tokens.issue(key, rng.randrange(1 << 32), rng.randrange(1 << 16)) for _ in range(300)]
    lengths = [1, 2, 3, 4, 34, 35, 63, 64, 101, 102, 149, 150, 202, 203, 255, 256, 293, 294, 365, 366, 432]
    samples += ["".join(rng.choice("0123456789") for _ in range(n)) for n in lengths]
    for data in samples:
        assert qr.matrix(data) == _reference(data), len(data)


def test_other_data_goes_through_qrcode_with_the_fixed_mask():
    for data in ("https://example.org/verify/ABC123", "Zoë", "9" * 433):
        assert qr.matrix(data) == _reference(data)


def test_runs_cover_exactly_the_dark_modules():
    rows = qr._rows(tokens.issue(keys.new_key(1), 1, 1))
    painted = {(r, c + i) for r, c, n in qr.dark_runs(rows) for i in range(n)}
    assert painted == {(r, c) for r, row in enumerate(rows) for c, m in enumerate(row) if m == "1"}
    assert len(qr.dark_runs(rows)) < len(painted)  # merged, not one square per module

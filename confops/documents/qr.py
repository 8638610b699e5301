"""QR codes drawn as vector into a ReportLab canvas.

The cost of a QR is in the encoder, not the drawing (STACK.md, bench/badges.py). qrcode
searches 8 mask patterns; with a fixed mask it still spends in pure-Python Reed–Solomon and
module placement as much as the whole badge budget. So:

- Check-in tokens are digits (confops/checkin/tokens.py). For digits this module encodes
  directly: numeric mode, error correction M, a **fixed mask**, Reed–Solomon with log tables,
  and the data modules placed through a per-version template built once *from qrcode's own
  matrix* (function patterns, format information). A test checks, for hundreds of tokens,
  that the result equals qrcode's matrix with the same mask, module for module. Anything
  else (URLs, text) goes through qrcode itself, also with the fixed mask.
- Each row's runs of dark modules become rectangles of one path, written as PDF operators in
  module units under one transformation (no per-rectangle float formatting), filled once.

Any mask gives a valid code; qrcode's search only picks the one with the fewest look-alike
patterns, which matters little for short machine-made codes: the tests rasterise every badge
and decode each code with zxing-cpp.
"""

from __future__ import annotations

import re
from functools import cache

import qrcode
from qrcode import base, util
from qrcode.constants import ERROR_CORRECT_M
from reportlab.pdfgen.canvas import Canvas

MASK_PATTERN = 2
QUIET_ZONE = 4  # modules of white around the code, as the standard asks
_RUN = re.compile("1+")
_NUMERIC_CAPACITY_M = [0, 34, 63, 101, 149, 202, 255, 293, 365, 432]  # digits, versions 1–9 at M

# GF(256) with the QR polynomial x^8 + x^4 + x^3 + x^2 + 1.
_EXP = [0] * 512
_LOG = [0] * 256
_x = 1
for _i in range(255):
    _EXP[_i] = _x
    _LOG[_x] = _i
    _x <<= 1
    if _x & 0x100:
        _x ^= 0x11D
for _i in range(255, 512):
    _EXP[_i] = _EXP[_i - 255]


@cache
def _remainder_table(degree: int) -> tuple[int, ...]:
    """For each byte f, the generator polynomial times f, as one integer of `degree` bytes:
    the Reed–Solomon division then costs a shift and an XOR per data codeword."""
    poly = [1]
    for i in range(degree):
        nxt = [0] * (len(poly) + 1)
        for j, coef in enumerate(poly):
            nxt[j] ^= coef
            if coef:
                nxt[j + 1] ^= _EXP[_LOG[coef] + i]
        poly = nxt
    table = [0]
    for f in range(1, 256):
        row = bytes(_EXP[_LOG[g] + _LOG[f]] if g else 0 for g in poly[1:])
        table.append(int.from_bytes(row, "big"))
    return tuple(table)


def _ec_codewords(data: list[int], degree: int) -> list[int]:
    table = _remainder_table(degree)
    shift, keep = 8 * (degree - 1), (1 << (8 * degree)) - 1
    rem = 0
    for byte in data:
        rem = ((rem << 8) & keep) ^ table[byte ^ (rem >> shift)]
    return list(rem.to_bytes(degree, "big"))


@cache
def _template(version: int) -> tuple[list[str], tuple[int, ...], int, int]:
    """For one version: the function modules (with format information for level M and the
    fixed mask) taken from qrcode's own matrix as a flat list of "0"/"1", the flat indices of
    the data modules in placement order, the mask's bits in that order, and the side."""
    reference = qrcode.QRCode(version=version, error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN)
    reference.add_data("0", optimize=0)
    reference.make(fit=False)
    n = reference.modules_count
    function = [[False] * n for _ in range(n)]

    def mark(r0, c0, h, w):
        for r in range(max(r0, 0), min(r0 + h, n)):
            for c in range(max(c0, 0), min(c0 + w, n)):
                function[r][c] = True

    for r0, c0 in ((0, 0), (0, n - 8), (n - 8, 0)):
        mark(r0, c0, 8, 8)  # finders with separators
    centres = util.pattern_position(version)
    for r in centres:
        for c in centres:
            if not function[r][c]:  # alignment patterns, except where a finder is
                mark(r - 2, c - 2, 5, 5)
    mark(6, 0, 1, n)
    mark(0, 6, n, 1)  # timing
    mark(0, 8, 9, 1)
    mark(8, 0, 1, 9)  # format information around the top-left finder
    mark(n - 8, 8, 8, 1)
    mark(8, n - 8, 1, 8)  # and its copies (with the dark module)
    if version >= 7:
        mark(0, n - 11, 6, 3)
        mark(n - 11, 0, 3, 6)
    order = []
    upward = True
    col = n - 1
    while col > 0:
        if col == 6:
            col -= 1
        for r in (range(n - 1, -1, -1) if upward else range(n)):
            order.extend((r, c) for c in (col, col - 1) if not function[r][c])
        upward = not upward
        col -= 2
    flat = ["1" if function[r][c] and reference.modules[r][c] else "0" for r in range(n) for c in range(n)]
    mask = util.mask_func(MASK_PATTERN)
    mask_bits = int("".join("1" if mask(r, c) else "0" for r, c in order), 2)
    return flat, tuple(r * n + c for r, c in order), mask_bits, n


def _numeric_codewords(digits: str, version: int) -> list[int]:
    acc, nbits = 0b0001, 4  # numeric mode

    def put(value: int, length: int) -> None:
        nonlocal acc, nbits
        acc = (acc << length) | value
        nbits += length

    put(len(digits), 10)
    for i in range(0, len(digits), 3):
        group = digits[i:i + 3]
        put(int(group), (0, 4, 7, 10)[len(group)])
    return _finish_codewords(acc, nbits, version)


def _finish_codewords(acc: int, nbits: int, version: int) -> list[int]:
    """The data bits `acc` (`nbits` long) made into the symbol's codewords at level M:
    terminator, padding to whole bytes and to capacity, then the Reed–Solomon blocks
    interleaved. Shared by the numeric and byte-mode fast paths."""
    blocks = base.rs_blocks(version, ERROR_CORRECT_M)
    capacity = sum(b.data_count for b in blocks)
    terminator = min(4, capacity * 8 - nbits)
    acc, nbits = acc << terminator, nbits + terminator
    align = -nbits % 8
    acc, nbits = acc << align, nbits + align
    data = list(acc.to_bytes(nbits // 8, "big"))
    data.extend((0xEC, 0x11)[i % 2] for i in range(capacity - len(data)))
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        chunk = data[offset:offset + block.data_count]
        offset += block.data_count
        data_blocks.append(chunk)
        ec_blocks.append(_ec_codewords(chunk, block.total_count - block.data_count))
    out = []
    for group in (data_blocks, ec_blocks):
        for i in range(max(len(b) for b in group)):
            out.extend(b[i] for b in group if i < len(b))
    return out


def _place(version: int, codewords: list[int]) -> list[str]:
    """The codewords placed and masked in the version's template: rows of "0"/"1"."""
    flat, positions, mask_bits, n = _template(version)
    length = len(positions)  # codeword bits, then remainder bits (0)
    value = int.from_bytes(bytes(codewords), "big") << (length - 8 * len(codewords))
    flat = flat.copy()
    for index, bit in zip(positions, format(value ^ mask_bits, f"0{length}b"), strict=True):
        flat[index] = bit
    joined = "".join(flat)
    return [joined[r * n:(r + 1) * n] for r in range(n)]


def _numeric_rows(digits: str) -> list[str]:
    version = next(v for v in range(1, 10) if len(digits) <= _NUMERIC_CAPACITY_M[v])
    return _place(version, _numeric_codewords(digits, version))


def _rows(data: str) -> list[str]:
    """The matrix as strings of "0"/"1" (rows top to bottom, no quiet zone), level M,
    fixed mask."""
    if data.isascii() and data.isdigit() and len(data) <= _NUMERIC_CAPACITY_M[-1]:
        return _numeric_rows(data)
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0, mask_pattern=MASK_PATTERN)
    code.add_data(data)
    code.make(fit=True)
    return ["".join("1" if m else "0" for m in row) for row in code.get_matrix()]


def matrix(data: str) -> list[list[bool]]:
    """The module matrix without quiet zone (rows top to bottom), level M, fixed mask."""
    return [[ch == "1" for ch in row] for row in _rows(data)]


def dark_runs(rows: list[str]) -> list[tuple[int, int, int]]:
    """(row, first column, length) for every horizontal run of dark modules."""
    return [(r, m.start(), m.end() - m.start()) for r, line in enumerate(rows) for m in _RUN.finditer(line)]


def draw_qr(canvas: Canvas, data: str, x: float, y: float, size: float) -> None:
    """Draw the code for `data` in the square with lower-left corner (x, y) and side `size`
    (points), the quiet zone included in that square (its white is the label's own)."""
    draw_rows(canvas, _rows(data), x, y, size)


def draw_rows(canvas: Canvas, rows: list[str], x: float, y: float, size: float) -> None:
    """Draw a matrix given as rows of "0"/"1" (see draw_qr)."""
    n = len(rows)
    unit = size / (n + 2 * QUIET_ZONE)
    left = x + QUIET_ZONE * unit
    top = y + size - QUIET_ZONE * unit
    # One transformation to module units (y downwards), then integer rectangles, one fill.
    ops = [f"q 0 g {unit:.5f} 0 0 {-unit:.5f} {left:.4f} {top:.4f} cm"]
    ops.extend(f"{col} {r} {length} 1 re" for r, col, length in dark_runs(rows))
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))

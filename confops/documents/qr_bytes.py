"""Fast QR matrices for short byte strings (the verify URLs on certificates).

qrcode spends most of a certificate's time in its pure-Python encoder (STACK.md). URLs are
byte mode; this encodes them directly (level M, the project's fixed mask) with the
Reed–Solomon tables and per-version templates of confops/documents/qr.py, so a code costs a
fraction of a millisecond. A test checks the result against qrcode's own matrix, module for
module, and decodes rendered certificates with zxing-cpp.
"""

from __future__ import annotations

from qrcode import base
from qrcode.constants import ERROR_CORRECT_M

from confops.documents.qr import _ec_codewords, _template

BYTE_CAPACITY_M = [0, 14, 26, 42, 62, 84, 106, 122, 152, 180]  # bytes, versions 1–9 (8-bit count)


def _codewords(data: bytes, version: int) -> list[int]:
    acc, nbits = 0b0100, 4  # byte mode
    acc = (acc << 8) | len(data)
    nbits += 8
    for b in data:
        acc = (acc << 8) | b
    nbits += 8 * len(data)
    blocks = base.rs_blocks(version, ERROR_CORRECT_M)
    capacity = sum(b.data_count for b in blocks)
    pad = min(4, capacity * 8 - nbits)
    acc <<= pad
    nbits += pad
    acc <<= -nbits % 8
    nbits += -nbits % 8
    words = list(acc.to_bytes(nbits // 8, "big"))
    words.extend((0xEC, 0x11)[i % 2] for i in range(capacity - len(words)))
    data_blocks, ec_blocks, offset = [], [], 0
    for block in blocks:
        chunk = words[offset:offset + block.data_count]
        offset += block.data_count
        data_blocks.append(chunk)
        ec_blocks.append(_ec_codewords(chunk, block.total_count - block.data_count))
    out = []
    for group in (data_blocks, ec_blocks):
        for i in range(max(len(b) for b in group)):
            out.extend(b[i] for b in group if i < len(b))
    return out


def byte_rows(text: str) -> list[str] | None:
    """Rows of "0"/"1" for `text` in byte mode, or None when it is too long for versions 1–9."""
    data = text.encode("utf-8")
    version = next((v for v in range(1, 10) if len(data) <= BYTE_CAPACITY_M[v]), None)
    if version is None:
        return None
    flat, positions, mask_bits, n = _template(version)
    codewords = _codewords(data, version)
    length = len(positions)
    value = int.from_bytes(bytes(codewords), "big") << (length - 8 * len(codewords))
    flat = flat.copy()
    for index, bit in zip(positions, format(value ^ mask_bits, f"0{length}b"), strict=True):
        flat[index] = bit
    joined = "".join(flat)
    return [joined[r * n:(r + 1) * n] for r in range(n)]


def draw_url_qr(canvas, text: str, x: float, y: float, size: float) -> None:
    """Like qr.draw_qr (same quiet zone and vector runs), through the byte-mode fast path."""
    from confops.documents.qr import _RUN, QUIET_ZONE, draw_qr

    rows = byte_rows(text)
    if rows is None:
        draw_qr(canvas, text, x, y, size)
        return
    n = len(rows)
    unit = size / (n + 2 * QUIET_ZONE)
    left, top = x + QUIET_ZONE * unit, y + size - QUIET_ZONE * unit
    ops = [f"q 0 g {unit:.5f} 0 0 {-unit:.5f} {left:.4f} {top:.4f} cm"]
    for r, line in enumerate(rows):
        ops.extend([f"{m.start()} {r} {m.end() - m.start()} 1 re" for m in _RUN.finditer(line)])
    ops.append("f Q")
    canvas.addLiteral("\n".join(ops))

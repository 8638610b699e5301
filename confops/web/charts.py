"""Charts drawn on the server as inline SVG: no CDN, no JavaScript, readable without sight.

Each chart carries a <title> and a <desc> (named by aria-labelledby) that say in words what it
shows, and every bar or point has a text label with its value, so the figures are in the
page's text and not only in shapes.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import date, datetime
from html import escape
from typing import Any

from markupsafe import Markup

_ids = itertools.count(1)
COLOR = "#2f6f73"


def _label(x: Any) -> str:
    if isinstance(x, datetime):
        return x.strftime("%b %d %H:%M")
    if isinstance(x, date):
        return x.strftime("%b %d")
    return str(x)


def _number(n: float) -> str:
    return f"{n:g}" if isinstance(n, float) else str(n)


def _frame(title: str, desc: str, width: int, height: int, body: list[str]) -> Markup:
    n = next(_ids)
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="chart{n}-t chart{n}-d">'
        f'<title id="chart{n}-t">{escape(title)}</title><desc id="chart{n}-d">{escape(desc)}</desc>'
        + "".join(body) + "</svg>")


# Drawn 420 units wide with 13-unit type: a chart is scaled down to its container, and in a
# dashboard card on a 390 px phone (about 326 px) that still leaves 10 px type; at 560 units the
# axis labels were 6 px there.
WIDTH, TYPE = 420, 13
CHAR = TYPE * 0.6  # the width of an average character of the labels, for spacing them


def bar_chart(title: str, data: Sequence[tuple[Any, float]], *, unit: str = "", width: int = WIDTH) -> Markup:
    """Horizontal bars, one per (label, value), each labelled with its value."""
    rows = [(_label(k), v or 0) for k, v in data]
    desc = "; ".join(f"{k}: {_number(v)}{(' ' + unit) if unit else ''}" for k, v in rows) or "No data yet."
    bar_h, gap, left = 22, 8, 200
    height = max(40, len(rows) * (bar_h + gap) + gap)
    top = max((v for _, v in rows), default=0) or 1
    span = width - left - 70
    body = []
    for i, (label, value) in enumerate(rows):
        y = gap + i * (bar_h + gap)
        w = max(0.0, span * value / top)
        body.append(f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" font-size="{TYPE}">{escape(label[:32])}</text>')
        body.append(f'<rect x="{left}" y="{y}" width="{w:.1f}" height="{bar_h}" fill="{COLOR}"/>')
        body.append(f'<text x="{left + w + 6:.1f}" y="{y + 15}" font-size="{TYPE}">{escape(_number(value))}</text>')
    if not rows:
        body.append(f'<text x="10" y="25" font-size="{TYPE}">No data yet.</text>')
    return _frame(title, desc, width, height, body)


def line_chart(title: str, points: Sequence[tuple[Any, float]], *, unit: str = "", width: int = WIDTH,
               height: int = 220) -> Markup:
    """A line through (x, y) points in the given order; x is labelled as text (dates, times, numbers)."""
    pts = [(_label(x), y or 0) for x, y in points]
    desc = ("; ".join(f"{x}: {_number(y)}{(' ' + unit) if unit else ''}" for x, y in pts)
            if pts else "No data yet.")
    left, right, top_pad, bottom = 50, 20, 20, 40
    plot_w, plot_h = width - left - right, height - top_pad - bottom
    top = max((y for _, y in pts), default=0) or 1
    body = [f'<line x1="{left}" y1="{top_pad + plot_h}" x2="{left + plot_w}" y2="{top_pad + plot_h}" stroke="#555"/>',
            f'<line x1="{left}" y1="{top_pad}" x2="{left}" y2="{top_pad + plot_h}" stroke="#555"/>',
            f'<text x="{left - 6}" y="{top_pad + 4}" text-anchor="end" font-size="{TYPE}">{escape(_number(top))}</text>',
            f'<text x="{left - 6}" y="{top_pad + plot_h}" text-anchor="end" font-size="{TYPE}">0</text>']
    if not pts:
        body.append(f'<text x="{left + 10}" y="{top_pad + 20}" font-size="{TYPE}">No data yet.</text>')
        return _frame(title, desc, width, height, body)
    step = plot_w / max(len(pts) - 1, 1)
    coords = [(left + i * step, top_pad + plot_h - plot_h * y / top) for i, (_, y) in enumerate(pts)]
    body.append('<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>'.format(
        COLOR, " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)))
    # Axis labels never overprint: as many as fit side by side (CHAR a character), evenly
    # spaced, the last one kept and its too-close neighbour dropped. Every value is still in
    # <desc> and in each point's <title>.
    widest = max(len(label) for label, _ in pts) * CHAR + 10
    every = max(1, math.ceil(widest / step)) if len(pts) > 1 else 1
    last = len(pts) - 1
    for i, ((label, value), (x, y)) in enumerate(zip(pts, coords, strict=True)):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{COLOR}"><title>{escape(label)}: '
                    f'{escape(_number(value))}</title></circle>')
        if i == last or (i % every == 0 and last - i >= every):
            # a label centred on a point near the edge would be cut: it leans inwards instead
            half = len(label) * CHAR / 2
            anchor = "end" if x + half > width else "start" if x - half < 0 else "middle"
            body.append(f'<text x="{x:.1f}" y="{top_pad + plot_h + 16}" text-anchor="{anchor}" font-size="{TYPE}">'
                        f'{escape(label)}</text>')
            body.append(f'<text x="{x:.1f}" y="{y - 6:.1f}" text-anchor="middle" font-size="{TYPE}">'
                        f'{escape(_number(value))}</text>')
    return _frame(title, desc, width, height, body)

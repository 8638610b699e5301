"""A small server-side SVG bar chart (no JavaScript) for evaluation distributions. Named apart
from confops/web/charts.py, which the back-office area provides for dashboards."""

from __future__ import annotations

from html import escape


def bar_chart(counts: list[tuple[str, int]], *, title: str, width: int = 420, bar_height: int = 18) -> str:
    label_w, gap = 150, 6
    top = max((n for _, n in counts), default=0) or 1
    height = len(counts) * (bar_height + gap) + gap
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(title)}" '
             f'width="{width}" height="{height}" viewBox="0 0 {width} {height}" class="chart">',
             f"<title>{escape(title)}</title>"]
    for i, (label, n) in enumerate(counts):
        y = gap + i * (bar_height + gap)
        w = int((width - label_w - 40) * n / top)
        parts.append(f'<text x="{label_w - 6}" y="{y + bar_height - 5}" text-anchor="end" font-size="12">'
                     f"{escape(label)}</text>")
        parts.append(f'<rect x="{label_w}" y="{y}" width="{w}" height="{bar_height}" fill="#1f5f63"/>')
        parts.append(f'<text x="{label_w + w + 4}" y="{y + bar_height - 5}" font-size="12">{n}</text>')
    parts.append("</svg>")
    return "".join(parts)

"""Server-drawn SVG charts: accessible (title, desc, text labels) and safe with any label."""

import itertools
import re
import xml.etree.ElementTree as ET
from datetime import date

from confops.web.charts import bar_chart, line_chart

SVG = "{http://www.w3.org/2000/svg}"


def _parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def test_bar_chart_names_itself_and_labels_every_bar():
    svg = _parse(bar_chart("Registrations by category", [("Member", 12), ("Resident <&> fellow", 3)]))
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title.text == "Registrations by category"
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert "Member: 12" in desc.text and "Resident <&> fellow: 3" in desc.text
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Member" in texts and "12" in texts and "Resident <&> fellow" in texts
    widths = [float(r.get("width")) for r in svg.iter(f"{SVG}rect")]
    assert widths[0] > widths[1] > 0


def test_line_chart_of_dates_and_empty_charts():
    svg = _parse(line_chart("Over time", [(date(2026, 3, 1), 1), (date(2026, 3, 2), 4)], unit="people"))
    assert "Mar 01: 1 people" in svg.find(f"{SVG}desc").text
    assert svg.find(f"{SVG}polyline") is not None
    assert len(list(svg.iter(f"{SVG}circle"))) == 2
    for empty in (line_chart("Nothing", []), bar_chart("Nothing", [])):
        svg = _parse(empty)
        assert svg.find(f"{SVG}desc").text == "No data yet."


def test_no_script_or_remote_reference():
    text = str(bar_chart("<script>alert(1)</script>", [("x", 1)]))
    assert "<script>" not in text and "http" not in text.replace("http://www.w3.org/2000/svg", "")


def test_axis_labels_of_a_dense_line_chart_never_overprint():
    """The check-in chart's half-hour labels overprinted into a smear: labels now keep apart by
    their own width, and the last point is still labelled."""
    from confops.web.charts import line_chart

    for n in (9, 17, 18, 24, 48):
        points = [(f"{8 + i // 2:02d}:{30 * (i % 2):02d}", i) for i in range(n)]
        svg = str(line_chart("Check-ins", points))
        axis = [(float(x), label) for x, label in re.findall(r'<text x="([\d.]+)" y="196"[^>]*>([^<]+)</text>', svg)]
        assert axis[-1][1] == points[-1][0] and len(axis) >= 2
        gaps = [b[0] - a[0] for a, b in itertools.pairwise(axis)]
        assert min(gaps) >= len("08:00") * 6.5, (n, gaps)

"""Text in a PDF in the order people read it: right-to-left names shown right to left, and no
name able to turn the text around it.

Why: ReportLab draws characters in the order it is given them, and PDF viewers show them in that
order. A Hebrew or Arabic name would come out reversed, and a name carrying direction controls
(U+202E RIGHT-TO-LEFT OVERRIDE and its kin) would reorder whatever a viewer, a screen reader or a
copy-and-paste applies the Unicode bidirectional algorithm to, its neighbours included. So the
controls that come from people's input are removed, every value put into a line is isolated
(FSI … PDI) so that its direction stays inside it, and each drawn line is laid out by the
Unicode bidirectional algorithm (python-bidi) in a left-to-right paragraph: the line goes out
already in visual order. Plain ASCII, nearly every badge, costs one check.
"""

from __future__ import annotations

import re

from bidi import get_display

_CONTROLS = re.compile("[\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069]")
_ISOLATES = re.compile("[\u2066-\u2069]")
_RIGHT_TO_LEFT = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefc\U00010800-\U00010fff\U0001e800-\U0001efff]")
FSI, PDI = "\u2068", "\u2069"


def clean(value: str) -> str:
    """A value from someone's input, without direction controls."""
    if value.isascii():
        return value
    return _CONTROLS.sub("", value)


def isolate(value: str) -> str:
    """A value to put into a line of other text: its direction stays inside it."""
    value = clean(value)
    return f"{FSI}{value}{PDI}" if _RIGHT_TO_LEFT.search(value) else value


def visual(line: str) -> str:
    """The line as it is to be drawn, left to right."""
    if line.isascii():
        return line
    if _RIGHT_TO_LEFT.search(line):
        line = get_display(_CONTROLS.sub("", line) if FSI not in line else _strip_outside_isolates(line),
                           base_dir="L")
    return _CONTROLS.sub("", line)


def _strip_outside_isolates(line: str) -> str:
    """Remove direction controls except the isolates `isolate` put in."""
    return re.sub("[\u200e\u200f\u061c\u202a-\u202e\u2066\u2067]", "", line)

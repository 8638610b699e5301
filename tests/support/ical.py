"""Reading back the iCalendar files confops writes, as a calendar program would."""

from __future__ import annotations


def unfold_and_parse(data: bytes) -> dict[str, str]:
    """The VEVENT properties of an iCalendar file, unfolded and unescaped (first of each name)."""
    text = data.decode().replace("\r\n ", "").replace("\r\n\t", "")
    props: dict[str, str] = {}
    for line in text.split("\r\n"):
        if ":" in line:
            name, _, value = line.partition(":")
            value = (value.replace("\\n", "\n").replace("\\,", ",").replace("\\;", ";").replace("\\\\", "\\"))
            props.setdefault(name.split(";")[0], value)
    return props

"""Read the event set-up form back as a browser would submit it (inputs, textareas, selects)."""

from __future__ import annotations

import html
import re


def form_values(page: str) -> dict[str, str]:
    form = re.search(r"action=\"/staff/events/(new|[\w-]+/edit)\"(.*?)</form>", page, re.S).group(2)
    values = {n: html.unescape(v) for n, v in re.findall(r'<input id="\w+" name="(\w+)" type="[\w-]+" value="([^"]*)"', form)}
    values.update({n: html.unescape(v) for n, v in re.findall(r'<textarea id="\w+" name="(\w+)"[^>]*>([^<]*)</textarea>', form)})
    for name, options in re.findall(r'<select id="\w+" name="(\w+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected>', options)
        values[name] = html.unescape(chosen.group(1)) if chosen else ""
    if re.search(r'name="online" value="1" checked', form):
        values["online"] = "1"
    return values

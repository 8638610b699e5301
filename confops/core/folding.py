"""Text compared without regard to case or accents: "Ødegaard" sits with the O's and a search
for "zoe" finds "Zoë". One function, so that what the database stores for sorting and searching
(registration/name_keys.py) and what Python compares (badge order) always agree."""

from __future__ import annotations

import unicodedata

_SPECIAL = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "æ": "ae", "œ": "oe", "þ": "th", "ð": "d", "ı": "i"})


def fold(text: str) -> str:
    text = unicodedata.normalize("NFKD", text.casefold()).translate(_SPECIAL)
    return "".join(c for c in text if not unicodedata.combining(c))

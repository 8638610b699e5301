"""What the database keeps of a registration's name for sorting and searching, so that lists of
20,000 people sort and search in SQL the way people expect: without regard to case or accents.

- `name_key`: last name, a tab, the name on the badge (or the first name), both folded
  (core/folding.py). Compared byte by byte (PostgreSQL gives the column the "C" collation;
  SQLite compares bytes) this is the order of `documents.badges.sort_key`, the badge order:
  the tab sorts before every character a folded name contains, so "Li" comes before "Lim".
- `name_search`: first name, last name and badge name, folded: the badge page's name filter.
- `search_text`: the same with the e-mail and the institution: the staff search of
  registrations and learners (a trigram index serves it on PostgreSQL).

Every write of these fields goes through `name_columns`: new registrations (orders, the fast
order statement, `Attendee.insert`), edits, transfers and privacy erasure (`refresh`).
"""

from __future__ import annotations

from confops.core.folding import fold

SOURCES = ("first_name", "last_name", "badge_name", "email", "institution")


def _clean(text: str) -> str:
    """Folded, with control characters (the tab above all) made spaces."""
    return "".join(c if c >= " " else " " for c in fold(text or "")).strip()


def name_key(last_name: str, shown_first_name: str) -> str:
    return f"{_clean(last_name)}\t{_clean(shown_first_name)}"


def name_columns(first_name: str, last_name: str, badge_name: str = "", email: str = "",
                 institution: str = "") -> dict[str, str]:
    full = f"{first_name or ''} {last_name or ''}".strip()
    last = last_name or (full.split()[-1] if full.split() else "")
    shown = badge_name or first_name or ""
    names = _clean(f"{first_name or ''} {last_name or ''} {badge_name or ''}")
    return {"name_key": name_key(last, shown), "name_search": names,
            "search_text": f"{names} {_clean(email)} {_clean(institution)}".strip()}


def search_pattern(q: str) -> str:
    """A LIKE pattern for part of a name, e-mail or institution, folded as the columns are
    (the wildcards a person types are taken literally, as nothing)."""
    return f"%{_clean(q).replace('%', '').replace('_', '').replace(chr(92), '')}%"


async def refresh(where) -> None:
    """Recompute the keys of the registrations `where` selects after their names, e-mail or
    institution changed (an edit, a transfer, an erasure: the keys must not keep erased data)."""
    from confops.registration.tables import Attendee

    rows = await Attendee.select(Attendee.id, *(getattr(Attendee, c) for c in SOURCES)).where(where)
    for row in rows:
        keys = name_columns(*(row[c] for c in SOURCES))
        await Attendee.update({getattr(Attendee, k): v for k, v in keys.items()}).where(Attendee.id == row["id"])


KEYS = ("name_key", "name_search", "search_text")


def keys_of_new(row):
    """piccolo-admin's pre-save hook for a registration created there: its keys from its name
    (whatever keys were typed in the form)."""
    for column, value in name_columns(*(getattr(row, c) or "" for c in SOURCES)).items():
        setattr(row, column, value)
    return row


async def keys_of_patch(row_id, values: dict) -> dict:
    """piccolo-admin's pre-patch hook: an edit of a registration there also writes the keys of
    the name it leaves (the fields not edited read from the row; keys typed in are replaced)."""
    from confops.registration.tables import Attendee

    edited = {column._meta.name: value for column, value in values.items()}
    current = await Attendee.select(*(getattr(Attendee, c) for c in SOURCES)).where(Attendee.id == row_id).first()
    if current is None:
        return values
    merged = {c: edited.get(c, current[c]) or "" for c in SOURCES}
    kept = {column: value for column, value in values.items() if column._meta.name not in KEYS}
    return {**kept, **{getattr(Attendee, k): v for k, v in name_columns(*(merged[c] for c in SOURCES)).items()}}

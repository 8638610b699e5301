"""The registration form's error summary in the form's own words: each problem names the field
as its label does ("Is this your first ABS meeting?", "First name (attendee 2)"), never the
field's internal name ("answer first meeting"), and links to the control itself."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The labels the form shows (templates/register/form.html and _more_attendees.html).
LABELS = {
    "category": "Registration category",
    "category_full": "Registration category",
    "first_name": "First name",
    "last_name": "Last name",
    "email": "E-mail",
    "badge_name": "Name on badge",
    "credentials": "Credentials",
    "pronouns": "Pronouns",
    "pronouns_other": "Pronouns",
    "institution": "Institution",
    "city_region": "City, state",
    "profession": "Profession",
    "dietary": "Dietary needs",
    "accessibility": "Accessibility needs",
    "code": "Discount or scholarship code",
    "code_invalid": "Discount or scholarship code",
    "addon_full": "Add-ons",
    "buyer_name": "Buyer's name",
    "buyer_email": "Buyer's email address",
    "name": "Your name",
}
# Problems about a choice rather than one control: where the summary's link takes people.
_TARGETS = {"code_invalid": "code", "pronouns_other": "pronouns_other"}
_ATTENDEE = re.compile(r"^a(\d+)_(.+)$")


@dataclass(frozen=True)
class Problem:
    target: str  # the id of the control the link focuses
    label: str
    message: str


def _label(key: str, questions: dict[str, str], addons: dict[str, str]) -> str:
    if key.startswith("answer_") and key[7:] in questions:
        return questions[key[7:]]
    if key.startswith("addon_") and key[6:] in addons:
        return addons[key[6:]]
    return LABELS.get(key, key.replace("_", " ").capitalize())


def _target(key: str, prefix: str, catalog) -> str:
    if key in ("category", "category_full") and not prefix:
        open_ = [c for c in catalog.categories if c.get("left") != 0] or catalog.categories
        return f"category-{open_[0]['code']}" if open_ else "category"
    if key == "addon_full":
        return f"{prefix}addon_{catalog.addons[0]['code']}" if catalog.addons else "code"
    return prefix + _TARGETS.get(key, key)


_ORDER = ["category", "category_full", "first_name", "last_name", "email", "badge_name", "credentials",
          "pronouns", "pronouns_other", "institution", "city_region", "profession", "dietary", "accessibility"]


def _place(key: str) -> tuple[int, int, str]:
    """Where a field stands on the form: attendee 1 first, then its fields top to bottom."""
    match = _ATTENDEE.match(key)
    attendee, field = (int(match[1]), match[2]) if match else (0, key)
    return attendee, _ORDER.index(field) if field in _ORDER else len(_ORDER), field


def summary(errors: dict[str, str], catalog) -> list[Problem]:
    """One entry per problem, in the order of the fields on the form."""
    questions = {q["key"]: q["label"] for q in catalog.questions}
    addons = {a["code"]: a["label"] for a in catalog.addons}
    out = []
    for key, message in sorted(errors.items(), key=lambda item: _place(item[0])):
        match = _ATTENDEE.match(key)
        prefix, field = (f"a{match[1]}_", match[2]) if match else ("", key)
        label = _label(field, questions, addons)
        if match:
            label = f"{label} (attendee {int(match[1]) + 1})"
        out.append(Problem(_target(field, prefix, catalog), label, message))
    return out

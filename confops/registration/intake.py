"""What a registration form or API call sends, and the checks that need no database.

Every problem is collected with its field name (`attendees[0].email`), so a form can show
each message next to its field and an API client can fix everything in one go.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from confops.accounts.service import email_problem, normalize_email
from confops.core.errors import FieldError

MAX_ATTENDEES = 50
MAX_QUANTITY = 20

PRONOUN_CHOICES = ("she/her", "he/him", "they/them", "ze/zir")
PROFESSIONS = ("physician", "resident", "student", "psychologist", "social_worker", "nurse",
               "counselor", "other")

# field -> (max length, required)
TEXT_FIELDS = {
    "first_name": (100, True),
    "last_name": (100, True),
    "badge_name": (100, False),
    "credentials": (100, False),
    "pronouns": (60, False),
    "institution": (200, False),
    "city_region": (120, False),
    "profession": (60, False),
    "dietary": (1000, False),
    "accessibility": (2000, False),
}
MULTILINE = {"dietary", "accessibility"}


@dataclass
class AttendeeIn:
    category: str
    email: str
    first_name: str = ""
    last_name: str = ""
    badge_name: str = ""
    credentials: str = ""
    pronouns: str = ""
    institution: str = ""
    city_region: str = ""
    profession: str = ""
    dietary: str = ""
    accessibility: str = ""
    addons: dict[str, int] = field(default_factory=dict)
    answers: dict[str, str] = field(default_factory=dict)


@dataclass
class OrderIn:
    buyer_name: str
    buyer_email: str
    attendees: list[AttendeeIn]
    idempotency_key: str
    code: str = ""
    offer_token: str = ""
    # How the buyer will pay (registration/terms.py); empty: card with Stripe, else invoice.
    pay_by: str = ""
    # API orders: a hash of the request body, which the idempotency key is bound to (a key sent
    # again with another body is refused rather than answered with the first order).
    request_hash: str = ""


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def text_problem(value: str, max_len: int, required: bool, multiline: bool = False) -> str | None:
    if required and not value.strip():
        return "This is required."
    if len(value) > max_len:
        return f"Use at most {max_len} characters."
    bad = _CONTROL.search(value) if multiline else (_CONTROL.search(value) or "\n" in value or "\r" in value)
    if bad or any(unicodedata.category(ch) == "Cc" and ch not in "\n\r\t" for ch in value):
        return "Remove control characters."
    return None


def clean(value: object) -> str:
    return str(value or "").strip()


def check_order(order: OrderIn) -> list[FieldError]:
    """Checks that need no database; returns every problem found."""
    problems: list[FieldError] = []
    order.buyer_email = normalize_email(order.buyer_email)
    order.buyer_name = clean(order.buyer_name)
    if msg := text_problem(order.buyer_name, 200, True):
        problems.append(FieldError("buyer_name", msg))
    if msg := email_problem(order.buyer_email):
        problems.append(FieldError("buyer_email", msg))
    key = clean(order.idempotency_key)
    if not key or len(key) > 100 or _CONTROL.search(key):
        problems.append(FieldError("idempotency_key", "Send a form token of 1–100 characters."))
    if len(order.code) > 40:
        problems.append(FieldError("code", "Use at most 40 characters."))
    if len(order.pay_by) > 16:
        problems.append(FieldError("pay_by", "Choose card, invoice, cheque or pay at the door."))
    if not order.attendees:
        problems.append(FieldError("attendees", "Register at least one attendee."))
    if len(order.attendees) > MAX_ATTENDEES:
        problems.append(FieldError("attendees", f"At most {MAX_ATTENDEES} attendees per order."))
    for i, person in enumerate(order.attendees[:MAX_ATTENDEES]):
        prefix = f"attendees[{i}]"
        person.email = normalize_email(person.email)
        if msg := email_problem(person.email):
            problems.append(FieldError(f"{prefix}.email", msg))
        for name, (max_len, required) in TEXT_FIELDS.items():
            value = str(getattr(person, name) or "")
            value = value.strip()
            setattr(person, name, value)
            if msg := text_problem(value, max_len, required, name in MULTILINE):
                problems.append(FieldError(f"{prefix}.{name}", msg))
        if not person.badge_name and not problems:
            person.badge_name = person.first_name
        if not clean(person.category):
            problems.append(FieldError(f"{prefix}.category", "Choose a registration category."))
        for code, qty in person.addons.items():
            if not isinstance(qty, int) or isinstance(qty, bool) or qty < 1 or qty > MAX_QUANTITY:
                problems.append(FieldError(f"{prefix}.addons.{code}",
                                           f"Quantity must be a whole number from 1 to {MAX_QUANTITY}."))
        for key_, value in person.answers.items():
            if msg := text_problem(str(value), 2000, False, True):
                problems.append(FieldError(f"{prefix}.answers.{key_}", msg))
    return problems

"""The API's shapes for orders (msgspec: constraints checked at the edge, documented in OpenAPI)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import msgspec

Short = Annotated[str, msgspec.Meta(max_length=100_000)]


class AttendeeBody(msgspec.Struct, kw_only=True):
    category: Annotated[str, msgspec.Meta(max_length=32)]
    email: Short
    first_name: Short = ""
    last_name: Short = ""
    badge_name: Short = ""
    credentials: Short = ""
    pronouns: Short = ""
    institution: Short = ""
    city_region: Short = ""
    profession: Short = ""
    dietary: Short = ""
    accessibility: Short = ""
    addons: dict[str, int] = msgspec.field(default_factory=dict)
    answers: dict[str, Short] = msgspec.field(default_factory=dict)


class OrderBody(msgspec.Struct, kw_only=True):
    buyer_name: Short
    buyer_email: Short
    attendees: Annotated[list[AttendeeBody], msgspec.Meta(max_length=50)]
    # At least 16 characters: a short key is easy to guess or to reuse by accident.
    idempotency_key: Annotated[str, msgspec.Meta(min_length=16, max_length=100)]
    code: Annotated[str, msgspec.Meta(max_length=40)] = ""
    # card (only with Stripe), invoice, cheque or door; empty: card with Stripe, else invoice.
    # Invoice, cheque and door hold the places for the event's payment term.
    pay_by: Literal["", "card", "invoice", "cheque", "door"] = ""


class OrderCreated(msgspec.Struct):
    id: int
    status: str
    total_cents: int
    currency: str
    expires_at: datetime | None
    token: str | None


class AttendeeOut(msgspec.Struct):
    id: int
    first_name: str
    last_name: str
    badge_name: str
    category: str
    status: str
    price_cents: int
    addons: list[str]


class OrderOut(msgspec.Struct):
    id: int
    event: str
    status: str
    total_cents: int
    currency: str
    expires_at: datetime | None
    buyer_name: str
    attendees: list[AttendeeOut]

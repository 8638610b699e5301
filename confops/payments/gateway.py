"""The boundary between confops and whoever moves the money.

Services speak to a `Gateway`; `stripe_gateway` is the only module that imports `stripe`, and
`manual` covers invoice, cheque and pay-at-the-door, which need no provider at all. Without
Stripe keys only the manual gateway exists, so the embedded demo works offline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class GatewayError(Exception):
    """The provider refused or could not be reached; the message is safe to show staff."""


class BadSignature(Exception):
    """A webhook whose payload or signature did not verify."""


@dataclass(frozen=True)
class Intent:
    id: str
    status: str            # Stripe's: requires_payment_method, processing, succeeded, canceled, …
    amount_cents: int
    currency: str
    order_id: int | None
    client_secret: str = ""
    last_error: str = ""


@dataclass(frozen=True)
class ProviderRefund:
    id: str
    amount_cents: int
    status: str


@dataclass(frozen=True)
class ProviderDispute:
    id: str
    intent_id: str
    amount_cents: int
    reason: str
    status: str


@dataclass(frozen=True)
class WebhookEnvelope:
    id: str
    type: str
    object: dict
    created: int


class Gateway(Protocol):
    name: str

    async def create_intent(self, *, order_id: int, amount_cents: int, currency: str,
                            idempotency_key: str) -> Intent: ...

    async def read_intent(self, intent_id: str) -> Intent: ...

    async def refund(self, *, intent_id: str, amount_cents: int, idempotency_key: str) -> ProviderRefund: ...

    async def list_refunds(self, intent_id: str) -> list[ProviderRefund]: ...

    async def read_dispute(self, dispute_id: str) -> ProviderDispute: ...

    def verify_webhook(self, payload: bytes, signature: str) -> WebhookEnvelope: ...

    async def list_succeeded(self, limit: int = 100) -> list[Intent]: ...


_current: Gateway | None = None
publishable_key: str = ""


def configure(settings) -> None:
    """Pick the gateway from settings once per process (app start-up, worker, CLI)."""
    global _current, publishable_key
    from confops.registration.config import CONFIG

    CONFIG.cards = bool(settings.stripe_enabled)
    if settings.stripe_enabled:
        from confops.payments.stripe_gateway import StripeGateway

        _current = StripeGateway(settings.stripe_secret_key, settings.stripe_webhook_secret,
                                 settings.stripe_api_base)
        publishable_key = settings.stripe_publishable_key
    else:
        _current = None
        publishable_key = ""


def stripe() -> Gateway | None:
    """The card gateway, or None when Stripe is not configured (manual payments only)."""
    return _current


def require_stripe() -> Gateway:
    from confops.core.errors import Conflict

    if _current is None:
        raise Conflict("Card payments are not available; please pay by invoice, cheque or at the door.",
                       code="card_payments_off")
    return _current

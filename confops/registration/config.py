"""The few settings registration's services need, set once by the app (and the worker).

Services are called from pages, the API, the worker and tests; passing the base URL and
offer window through every call would leak web concerns into each signature.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass
class RegistrationConfig:
    base_url: str = "http://127.0.0.1:8000"
    hold_minutes: int = 30
    offer_hours: int = 48
    secret: str = "development-only-secret-do-not-use-in-production"
    old_secrets: tuple[str, ...] = ()  # still accepted for links signed before a key rotation
    cards: bool = False  # Stripe is configured (set by payments.gateway.configure)


CONFIG = RegistrationConfig()


def configure(*, base_url: str, hold_minutes: int, offer_hours: int, secret: str,
              old_secrets: tuple[str, ...] = ()) -> None:
    CONFIG.base_url = base_url.rstrip("/")
    CONFIG.hold_minutes = hold_minutes
    CONFIG.offer_hours = offer_hours
    CONFIG.secret = secret
    CONFIG.old_secrets = tuple(old_secrets)

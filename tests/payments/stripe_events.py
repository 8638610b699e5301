"""Signed Stripe events for what localstripe does not send (refunds, disputes), with the SDK's
scheme: Stripe-Signature: t=<unix>,v1=HMAC-SHA256(secret, "<t>.<payload>")."""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time

from tests.payments.conftest import WEBHOOK_SECRET


def event(kind: str, obj: dict, *, event_id: str | None = None) -> bytes:
    return json.dumps({"id": event_id or f"evt_{secrets.token_hex(8)}", "object": "event", "type": kind,
                       "created": int(time.time()), "data": {"object": obj}}).encode()


def sign(payload: bytes, *, secret: str = WEBHOOK_SECRET, at: int | None = None) -> str:
    t = int(time.time()) if at is None else at
    mac = hmac.new(secret.encode(), f"{t}.".encode() + payload, hashlib.sha256).hexdigest()
    return f"t={t},v1={mac}"


def refunded(intent_id: str, *refunds: tuple[str, int]) -> dict:
    return {"id": f"ch_{secrets.token_hex(6)}", "object": "charge", "payment_intent": intent_id,
            "refunds": {"data": [{"id": rid, "amount": amount} for rid, amount in refunds]}}


def dispute(intent_id: str, amount: int, dispute_id: str = "dp_1") -> dict:
    return {"id": dispute_id, "object": "dispute", "payment_intent": intent_id, "amount": amount,
            "reason": "fraudulent"}

"""Stripe through its official SDK: the only module that imports `stripe`.

Async calls over the SDK's httpx client; `base_addresses` points the SDK at another server
(localstripe in tests). Webhooks are verified offline on the raw body with the SDK's scheme.
"""

from __future__ import annotations

import json

import stripe

from confops.payments.gateway import (
    BadSignature,
    GatewayError,
    Intent,
    ProviderDispute,
    ProviderRefund,
    WebhookEnvelope,
)

TOLERANCE_S = 300


def _intent(obj) -> Intent:
    obj = obj.to_dict() if hasattr(obj, "to_dict") else obj
    metadata = obj.get("metadata") or {}
    order_id = metadata.get("order_id")
    error = obj.get("last_payment_error") or {}
    return Intent(
        id=obj["id"], status=obj["status"], amount_cents=int(obj["amount"]), currency=str(obj["currency"]).upper(),
        order_id=int(order_id) if order_id and str(order_id).isdigit() else None,
        client_secret=obj.get("client_secret") or "",
        last_error=(error.get("message") or "") if isinstance(error, dict) else "",
    )


class _HTTPXClient(stripe.HTTPXClient):
    """The SDK passes its encoded form body as `data=`, which httpx 0.28 deprecates for raw
    bytes; send it as `content=` (same bytes on the wire)."""

    def _get_request_args_kwargs(self, method, url, headers, post_data):
        args, kwargs = super()._get_request_args_kwargs(method, url, headers, post_data)
        if isinstance(kwargs.get("data"), (bytes, str)):
            kwargs["content"] = kwargs.pop("data")
        elif not kwargs.get("data"):
            kwargs.pop("data", None)
        return args, kwargs


class StripeGateway:
    name = "stripe"

    def __init__(self, secret_key: str, webhook_secret: str, api_base: str = "") -> None:
        options = {"base_addresses": {"api": api_base}} if api_base else {}
        self.client = stripe.StripeClient(secret_key, http_client=_HTTPXClient(allow_sync_methods=True),
                                          **options)
        self.webhook_secret = webhook_secret

    async def create_intent(self, *, order_id: int, amount_cents: int, currency: str,
                            idempotency_key: str) -> Intent:
        try:
            obj = await self.client.v1.payment_intents.create_async(
                params={"amount": amount_cents, "currency": currency.lower(),
                        "metadata": {"order_id": str(order_id)}, "payment_method_types": ["card"]},
                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise GatewayError(exc.user_message or str(exc)) from exc
        return _intent(obj)

    async def read_intent(self, intent_id: str) -> Intent:
        try:
            return _intent(await self.client.v1.payment_intents.retrieve_async(intent_id))
        except stripe.StripeError as exc:
            raise GatewayError(exc.user_message or str(exc)) from exc

    async def refund(self, *, intent_id: str, amount_cents: int, idempotency_key: str) -> ProviderRefund:
        try:
            obj = await self.client.v1.refunds.create_async(
                params={"payment_intent": intent_id, "amount": amount_cents},
                options={"idempotency_key": idempotency_key})
        except stripe.StripeError as exc:
            raise GatewayError(exc.user_message or str(exc)) from exc
        return ProviderRefund(obj["id"], int(obj["amount"]), obj["status"])

    async def list_refunds(self, intent_id: str) -> list[ProviderRefund]:
        try:
            page = await self.client.v1.refunds.list_async(params={"payment_intent": intent_id, "limit": 100})
        except stripe.StripeError as exc:
            raise GatewayError(exc.user_message or str(exc)) from exc
        return [ProviderRefund(r["id"], int(r["amount"]), r["status"]) for r in page.data]

    async def read_dispute(self, dispute_id: str) -> ProviderDispute:
        try:
            obj = (await self.client.v1.disputes.retrieve_async(dispute_id)).to_dict()
        except stripe.StripeError as exc:
            raise GatewayError(exc.user_message or str(exc)) from exc
        intent = obj.get("payment_intent") or ""
        intent = intent.get("id", "") if isinstance(intent, dict) else str(intent)
        return ProviderDispute(obj["id"], intent, int(obj.get("amount") or 0), str(obj.get("reason") or ""),
                               str(obj.get("status") or ""))

    async def list_succeeded(self, limit: int = 100) -> list[Intent]:
        try:
            page = await self.client.v1.payment_intents.list_async(params={"limit": limit})
        except stripe.StripeError as exc:
            raise GatewayError(exc.user_message or str(exc)) from exc
        return [_intent(obj) for obj in page.data if obj["status"] == "succeeded"]

    def verify_webhook(self, payload: bytes, signature: str) -> WebhookEnvelope:
        try:
            text = payload.decode("utf-8")
            stripe.WebhookSignature.verify_header(text, signature, self.webhook_secret, TOLERANCE_S)
            data = json.loads(text)
            return WebhookEnvelope(str(data["id"]), str(data["type"]), dict(data["data"]["object"]),
                                   int(data.get("created") or 0))
        except (stripe.SignatureVerificationError, UnicodeDecodeError, ValueError, KeyError, TypeError) as exc:
            raise BadSignature(str(exc)) from exc

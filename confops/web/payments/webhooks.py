"""POST /webhooks/stripe: the raw body is verified by the SDK before anything is read."""

from __future__ import annotations

import logging

from litestar import Request, post
from litestar.response import Response

from confops.core.auth import PUBLIC
from confops.payments import webhooks
from confops.payments.gateway import BadSignature

log = logging.getLogger("confops.payments.webhooks")


@post("/webhooks/stripe", opt={"access": PUBLIC}, include_in_schema=False, status_code=200)
async def stripe_webhook(request: Request) -> Response:
    payload = await request.body()
    try:
        outcome = await webhooks.receive(payload, request.headers.get("stripe-signature", ""))
    except BadSignature as exc:
        log.warning("rejected Stripe webhook from %s: %s", request.client.host if request.client else "?", exc)
        return Response({"error": "invalid signature or payload"}, status_code=400)
    return Response({"received": outcome}, status_code=200)

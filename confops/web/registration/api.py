"""JSON API v1: place an order, read it back with its token."""

from __future__ import annotations

import hashlib

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery, JSONBody

from confops.core import metrics
from confops.core.auth import PUBLIC
from confops.events.rows import event_by_id
from confops.registration import orders
from confops.registration.intake import AttendeeIn, OrderIn
from confops.registration.schemas import AttendeeOut, OrderBody, OrderCreated, OrderOut
from confops.web.access import NO_SESSION
from confops.web.api_docs import problems


class OrdersApi(Controller):
    path = "/api/v1"
    tags = ["registration"]
    # The API is its idempotency keys and order tokens; the cookie session (read and signed
    # again on every request by the session middleware) is never used here.
    opt = {"access": PUBLIC, NO_SESSION: True}

    @post("/events/{slug:str}/orders", status_code=201, responses=problems(400, 404, 409, 422))
    async def place(self, request: Request, slug: FromPath[str], data: JSONBody[OrderBody]) -> Response[OrderCreated]:
        """Register one or more attendees. `idempotency_key` (16-100 characters) is scoped to the
        event and bound to the request's body: repeating the same key with the same body returns
        the first order (200, same token); the same key with a different body is 422
        (`idempotency_key_reused`). 409 codes: sold_out, category_full, addon_full,
        code_invalid, registration_closed, offer_invalid, price_changed (the early-bird places ran out
        between pricing and ordering: GET the event and order again at the new price)."""
        settings = request.app.state.settings
        # The key is bound to the body (all of it but the key): the same key with another body is 422.
        body_hash = hashlib.sha256(msgspec.json.encode(msgspec.structs.replace(data, idempotency_key=""))).hexdigest()
        order = OrderIn(
            buyer_name=data.buyer_name, buyer_email=data.buyer_email, idempotency_key=data.idempotency_key,
            code=data.code, pay_by=data.pay_by, request_hash=body_hash, attendees=[AttendeeIn(**{f: getattr(a, f) for f in a.__struct_fields__})
                                       for a in data.attendees],
        )
        placed = await orders.place_order(slug, order, hold_minutes=settings.order_hold_minutes,
                                          base_url=settings.base_url)
        if placed.created:
            metrics.inc("confops_orders_placed_total")
        body = OrderCreated(placed.id, placed.status, placed.total_cents, placed.currency, placed.expires_at,
                            placed.token)
        return Response(body, status_code=201 if placed.created else 200)

    @get("/orders/{order_id:int}", responses=problems(404, 422))
    async def read(self, request: Request, order_id: FromPath[int], token: FromQuery[str | None] = None) -> OrderOut:
        """The order for its token (`?token=` or the `X-Order-Token` header); a wrong token is 404."""
        token = token or request.headers.get("x-order-token", "")
        row = await orders.order_by_token(order_id, token)
        event = await event_by_id(row["event"])
        people = await orders.attendees_as_seen(row)
        return OrderOut(
            id=row["id"], event=event["slug"], status=row["status"], total_cents=row["total_cents"],
            currency=row["currency"], expires_at=row["expires_at"], buyer_name=row["buyer_name"],
            attendees=[AttendeeOut(p["id"], p["first_name"], p["last_name"], p["badge_name"], p["category_code"],
                                   p["status"], p["price_cents"], [a["code"] for a in p["addons"]])
                       for p in people],
        )

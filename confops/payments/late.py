"""Money that arrives for an order that already expired: one rule for a cheque staff record and
for a card payment Stripe reports late.

The money is never refused and never sent back on its own: the order gets its places again if
they are free (or from the waitlist's newest open offer, registration.holds.reinstate), is
confirmed, mailed and numbered; otherwise it stays expired with the money on it, "paid, no
place", listed on the event's staff payments page with a one-click refund, and the buyer and the
organizer's office are told. Staff decide; an automatic refund would cost the buyer a place
staff might still find them, and a card refund that staff did not see is money gone unexplained.
"""

from __future__ import annotations

from confops.payments.invoices import number_order
from confops.payments.notices import tell_staff_and_payer

REINSTATED = "reinstated"
NO_PLACE = "no_place"


async def money_for_expired_order(order: dict, *, amount_cents: int, reference: str, dedupe: str) -> str:
    """REINSTATED or NO_PLACE. Call inside the transaction that records the money, with the
    order row locked, and only once per payment (the caller knows it just recorded it)."""
    from confops.registration.emails import queue_confirmation
    from confops.registration.holds import reinstate
    from confops.registration.order_decision import order_token

    if await reinstate(order):
        await queue_confirmation(order["id"], token=order_token(order["idempotency_key"]))
        await number_order(order["id"])  # the confirmation and its invoice number commit together
        return REINSTATED
    await tell_staff_and_payer(order, "Payment received, but the places are no longer free", "payment_no_place",
                               {"amount_cents": amount_cents, "reference": reference}, dedupe=f"no-place:{dedupe}")
    return NO_PLACE

"""Payment terms: how long an unpaid order holds its places, by how the buyer will pay.

A card payment happens on the spot, so a card order keeps the short hold
(CONFOPS_ORDER_HOLD_MINUTES) and its places go back on sale soon if it is abandoned. A
department paying an invoice or a member posting a cheque needs days: such an order holds for
the event's payment term (EventSales.payment_term_days, 14 by default), never past the event's
start, since an unpaid place is of no use once the meeting has begun. Paying at the door holds
until the event ends. No hold is ever shorter than the card hold (an order placed at the desk
after the start still gets a moment to be paid).
"""

from __future__ import annotations

from datetime import datetime, timedelta

CARD = "card"
MANUAL = {"invoice": "Invoice (bank transfer)", "cheque": "Cheque", "door": "Pay at the door"}
METHODS = (CARD, *MANUAL)


def default_method(cards: bool) -> str:
    """Without Stripe there is no card: an order is to be paid by invoice unless the buyer said otherwise."""
    return CARD if cards else "invoice"


def method_problem(method: str, cards: bool) -> str | None:
    if method not in METHODS:
        return "Choose card, invoice, cheque or pay at the door."
    if method == CARD and not cards:
        return "Card payment is not available; choose invoice, cheque or pay at the door."
    return None


def hold_until(method: str, *, now: datetime, starts_at: datetime, ends_at: datetime, term_days: int,
               card_minutes: int) -> datetime:
    """When an unpaid order placed (or switched to `method`) at `now` lets its places go."""
    shortest = now + timedelta(minutes=card_minutes)
    if method == CARD:
        return shortest
    if method == "door":
        return max(ends_at, shortest)
    return max(min(now + timedelta(days=max(term_days, 0)), starts_at), shortest)


def reminder_offsets(setting: str) -> list[int]:
    """"7,2" -> [7, 2]: days before the due date a reminder goes out (largest first); bad parts ignored."""
    days = set()
    for part in (setting or "").split(","):
        part = part.strip()
        if part.isdigit() and 0 < int(part) <= 365:
            days.add(int(part))
    return sorted(days, reverse=True)

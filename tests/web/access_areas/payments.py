"""Payments routes added after the first merge (issue 4)."""

RULES = {
    "GET /account/receipts": "signed_in",
    "GET /account/orders/{order_id:int}/receipt.pdf": "signed_in",  # only one's own: others' ids -> 404
}

"""Payments routes added after the first merge (issue 4)."""

RULES = {
    "GET /account/receipts": "signed_in",
    "GET /account/orders/{order_id:int}/receipt.pdf": "signed_in",  # only one's own: others' ids -> 404
    "GET /account/orders/{order_id:int}/credit-notes/{file:str}": "signed_in",  # the same
    "GET /orders/{order_id:int}/credit-notes/{file:str}": "public",  # with the order's token, as its receipt
    "GET /staff/orders/{order_id:int}/credit-notes/{file:str}": "staff:registrar",
    "POST /staff/orders/{order_id:int}/waiting-list": "staff:registrar",  # a paid, no place order waits (issue 24)
}

"""Payments that need no provider: invoice, cheque, pay at the door.

Staff record what arrived with a reference (cheque number, bank transfer reference, receipt
book line); the record is the proof, so it keeps who recorded it. A manual refund is likewise
a record of money given back by cheque or transfer.
"""

from __future__ import annotations

import secrets

from confops.payments.tables import ManualMethod

METHODS = {
    ManualMethod.invoice.value: "Invoice (bank transfer)",
    ManualMethod.cheque.value: "Cheque",
    ManualMethod.door.value: "Pay at the door",
}


def manual_id() -> str:
    """A unique provider id for a manual record (the column is unique for Stripe's ids)."""
    return f"manual-{secrets.token_hex(8)}"

"""Money received and given back: payments, refunds, Stripe's webhook inbox, disputes and
gap-free invoice numbers.

Each payment keeps a `refunded_cents` counter claimed with a conditional UPDATE (like the
capacity counters), so no two refunds together ever exceed what was paid. Provider ids are
unique: a webhook replayed or racing the request that made the refund records it once.
"""

from enum import StrEnum

from piccolo.columns import BigInt, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.accounts.tables import Organizer, User
from confops.registration.tables import Order


class Provider(StrEnum):
    stripe = "stripe"
    manual = "manual"


class PaymentStatus(StrEnum):
    pending = "pending"          # intent created, nothing confirmed yet
    failed = "failed"            # last attempt declined; the order stays payable
    canceled = "canceled"
    succeeded = "succeeded"


class ManualMethod(StrEnum):
    invoice = "invoice"
    cheque = "cheque"
    door = "door"


class Payment(Table):
    order = ForeignKey(Order, on_delete=OnDelete.restrict, null=False, index=True)
    provider = Varchar(length=16, choices=Provider)
    provider_id = Varchar(length=100, unique=True, help_text="PaymentIntent id, or manual-…")
    method = Varchar(length=20, default="card")
    amount_cents = Integer(default=0)
    currency = Varchar(length=3, default="USD")
    status = Varchar(length=16, choices=PaymentStatus, default=PaymentStatus.pending.value)
    message = Text(help_text="Why the last attempt failed, shown to the payer")
    reference = Varchar(length=200, help_text="Cheque number, invoice reference, receipt book line")
    refunded_cents = Integer(default=0)
    recorded_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    succeeded_at = Timestamptz(null=True, default=None)


class Refund(Table):
    payment = ForeignKey(Payment, on_delete=OnDelete.restrict, null=False, index=True)
    order = ForeignKey(Order, on_delete=OnDelete.restrict, null=False, index=True)
    amount_cents = Integer(default=0)
    currency = Varchar(length=3, default="USD")
    reason = Varchar(length=300)
    kind = Varchar(length=20, default="staff")  # staff / policy / automatic / provider
    provider_id = Varchar(length=100, unique=True, help_text="Stripe refund id, or manual-…")
    recorded_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True)
    created_at = Timestamptz(default=TimestamptzNow())


class WebhookEvent(Table):
    """Stripe's events as received: the unique id makes a replay a no-op."""

    event_id = Varchar(length=100, unique=True)
    type = Varchar(length=80)
    payload = Text()
    received_at = Timestamptz(default=TimestamptzNow())
    processed_at = Timestamptz(null=True, default=None)
    attempts = Integer(default=0)
    error = Text()
    outcome = Varchar(length=12, default="", help_text="handled, or ignored (a type confops does not act on)")


class Dispute(Table):
    """A chargeback flags its order for staff (the order page and payments list show it)."""

    order = ForeignKey(Order, on_delete=OnDelete.restrict, null=False, index=True)
    provider_id = Varchar(length=100, unique=True)
    amount_cents = Integer(default=0)
    reason = Varchar(length=100)
    created_at = Timestamptz(default=TimestamptzNow())


class InvoiceCounter(Table):
    """The last invoice number per organizer, bumped with UPDATE … RETURNING in the
    transaction that issues the invoice: a rolled-back invoice leaves no gap."""

    organizer = ForeignKey(Organizer, on_delete=OnDelete.restrict, null=False, unique=True)
    last_number = Integer(default=0)


class Invoice(Table):
    order = ForeignKey(Order, on_delete=OnDelete.restrict, null=False, unique=True)
    organizer = ForeignKey(Organizer, on_delete=OnDelete.restrict, null=False)
    number = Integer()
    issued_at = Timestamptz(default=TimestamptzNow())
    # The billing details as they were when the number was given (JSON); an issued invoice
    # never changes, whatever the buyer edits later.
    billing = Text()


class InvoiceCorrection(Table):
    """A corrected invoice: the issued number is never edited; a credit note cancels it and a
    new invoice number replaces it, both from the organizer's gap-free counter."""

    order = ForeignKey(Order, on_delete=OnDelete.restrict, null=False, index=True)
    organizer = ForeignKey(Organizer, on_delete=OnDelete.restrict, null=False)
    cancelled_number = Integer()
    credit_note_number = Integer()
    new_number = Integer()
    reason = Varchar(length=300)
    billing = Text()
    issued_by = ForeignKey(User, on_delete=OnDelete.restrict, null=True)
    issued_at = Timestamptz(default=TimestamptzNow())


class OrderBilling(Table):
    """Who the invoice is made out to when an institution pays: a department's name and
    address, its purchase-order number, a tax ID. Optional; editable until an invoice number
    is issued."""

    order = ForeignKey(Order, on_delete=OnDelete.restrict, null=False, unique=True)
    name = Varchar(length=200)
    address = Text()
    po_number = Varchar(length=100)
    tax_id = Varchar(length=60)
    updated_at = Timestamptz(default=TimestamptzNow())


class EventMoney(Table):
    """An event's money in running sums: succeeded payments, refunds, and the orders still
    owing (an open order's total less its succeeded payments, where above zero) with what
    they owe. Each write of a payment, a refund or an order appends its difference in the same
    transaction (the database's triggers, payments/tallies.py); an event's figures are the sum
    of its rows, folded into one now and then. `confops check` compares them with the rows."""

    event = Integer(index=True)
    paid_cents = BigInt(default=0)
    refunded_cents = BigInt(default=0)
    owing_orders = Integer(default=0)
    owed_cents = BigInt(default=0)

"""Payments on the web: paying at the order's link, Stripe's webhook, staff payments and
refunds, a signed-in person's receipts."""

from confops.web.payments.account import AccountReceipts
from confops.web.payments.public import PayPages
from confops.web.payments.staff import StaffPayments
from confops.web.payments.webhooks import stripe_webhook

ROUTES = [PayPages, stripe_webhook, StaffPayments, AccountReceipts]

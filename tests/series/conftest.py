"""The series tests refund through the Stripe emulator: the payment tests' localstripe fixtures."""

from tests.payments.conftest import localstripe, settings  # noqa: F401 - fixtures

"""What is sold (categories, phases, add-ons, codes) and what was bought (orders, attendees).

Every capacity is a `capacity` column plus a `sold` counter claimed with a conditional UPDATE
inside the order's transaction, so no engine ever sells a place twice. Demographics live in
their own table with no link to the attendee, so they can only ever be counted, never traced.
"""

from enum import StrEnum

from piccolo.columns import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    OnDelete,
    Text,
    Timestamptz,
    Varchar,
)
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.events.tables import Event
from confops.registration.name_keys import SOURCES, name_columns


class PhaseKind(StrEnum):
    early = "early"
    regular = "regular"
    late = "late"


class CodeKind(StrEnum):
    percent = "percent"
    fixed = "fixed"
    free = "free"


class OrderStatus(StrEnum):
    pending = "pending"
    awaiting_payment = "awaiting_payment"
    confirmed = "confirmed"
    cancelled = "cancelled"
    expired = "expired"


HOLDING = (OrderStatus.pending.value, OrderStatus.awaiting_payment.value)


class AttendeeStatus(StrEnum):
    active = "active"
    cancelled = "cancelled"
    transferred = "transferred"
    substituted = "substituted"
    expired = "expired"  # the order's hold ran out unpaid; active again if the order is reinstated


class CancellationPolicy(StrEnum):
    tiered = "tiered"
    flat_fee = "flat_fee"
    none = "none"


class EventSales(Table):
    """Per-event registration settings and the sold counter of Event.capacity (kept apart from
    Event so the events area does not change for registration)."""

    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False, unique=True)
    sold = Integer(default=0)
    cancellation_policy = Varchar(length=16, choices=CancellationPolicy,
                                  default=CancellationPolicy.tiered.value)
    # "60:80,30:50" = 80 % refunded more than 60 days before, 50 % 30–60 days, none after.
    refund_tiers = Varchar(length=200, default="60:80,30:50")
    cancellation_fee_cents = Integer(default=0)
    early_bird_ends_at = Timestamptz(null=True, default=None)
    early_bird_first_n = Integer(null=True, default=None)
    late_starts_at = Timestamptz(null=True, default=None)
    # Early-bird places claimed so far (conditional UPDATE in the order's transaction); never
    # given back on cancellation: "the first N registrants" got the price, as advertised.
    early_claimed = Integer(default=0)
    # Changes whenever staff edit categories, add-ons, codes or questions (catalog_changed):
    # the key of each process's catalog cache. Random, so a reused event id never matches.
    catalog_stamp = Varchar(length=32, default="")
    # Payment terms (registration/terms.py): an order to be paid by invoice or cheque holds its
    # places this many days (never past the event's start); by card, CONFOPS_ORDER_HOLD_MINUTES.
    payment_term_days = Integer(default=14)
    # Reminders to unpaid buyers, in days before the due date ("7,2"); empty: none.
    reminder_days = Varchar(length=40, default="7,2")
    # The pre-event reminder to confirmed attendees, days before the start; 0: none.
    pre_event_days = Integer(default=3)
    # How to pay by bank transfer or cheque (account, payee, address), shown on the pay page
    # and in the acknowledgement; empty: the organizer's name and postal address.
    payment_instructions = Text()


class Category(Table, tablename="registration_category"):
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    code = Varchar(length=32)
    label = Varchar(length=120)
    eligibility = Text()
    early_cents = Integer(default=0)
    regular_cents = Integer(default=0)
    late_cents = Integer(default=0)
    capacity = Integer(null=True, default=None)
    sold = Integer(default=0)
    position = Integer(default=0)


class AddOn(Table, tablename="registration_addon"):
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    code = Varchar(length=32)
    label = Varchar(length=160)
    description = Text()
    price_cents = Integer(default=0)
    capacity = Integer(null=True, default=None)
    sold = Integer(default=0)
    max_per_attendee = Integer(default=1)
    position = Integer(default=0)


class DiscountCode(Table):
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    code = Varchar(length=40, help_text="Stored in capitals; what people type is upper-cased")
    kind = Varchar(length=16, choices=CodeKind)
    percent = Integer(default=0)
    amount_cents = Integer(default=0)
    max_uses = Integer(null=True, default=None)
    used = Integer(default=0)
    categories = Varchar(length=400, help_text="Comma-separated category codes; empty = all")
    expires_at = Timestamptz(null=True, default=None)
    issued_to_name = Varchar(length=200, help_text="Scholarship: the person it was awarded to")
    issued_to_email = Varchar(length=254)
    created_at = Timestamptz(default=TimestamptzNow())


class Order(Table, tablename="registration_order"):
    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False, index=True)
    buyer_name = Varchar(length=200)
    buyer_email = Varchar(length=254, index=True)
    status = Varchar(length=20, choices=OrderStatus, default=OrderStatus.pending.value)
    total_cents = Integer(default=0)
    currency = Varchar(length=3, default="USD")
    code = ForeignKey(DiscountCode, on_delete=OnDelete.restrict, null=True)
    expires_at = Timestamptz(null=True, default=None)
    idempotency_key = Varchar(length=100, unique=True)
    request_hash = Varchar(length=64, default="", help_text="API orders: the body their idempotency key is bound to")
    pricing_snapshot = JSON()
    token_hash = Varchar(length=64, index=True)
    refund_cents = Integer(default=0)
    # How the buyer said they will pay: card, invoice, cheque or door (registration/terms.py);
    # it decides how long the unpaid order holds its places.
    payment_method = Varchar(length=16, default="")
    complimentary = Boolean(default=False)
    demographics_count = Integer(default=0)
    created_at = Timestamptz(default=TimestamptzNow())
    confirmed_at = Timestamptz(null=True, default=None)
    cancelled_at = Timestamptz(null=True, default=None)


class Attendee(Table, tablename="registration_attendee"):
    order = ForeignKey(Order, on_delete=OnDelete.restrict, null=False, index=True)
    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False, index=True)
    category = ForeignKey(Category, on_delete=OnDelete.restrict, null=False)
    first_name = Varchar(length=100)
    last_name = Varchar(length=100)
    badge_name = Varchar(length=100)
    credentials = Varchar(length=100)
    pronouns = Varchar(length=60)
    institution = Varchar(length=200)
    city_region = Varchar(length=120)
    profession = Varchar(length=60)
    dietary = Text()
    accessibility = Text()
    email = Varchar(length=254, index=True)
    status = Varchar(length=16, choices=AttendeeStatus, default=AttendeeStatus.active.value)
    price_cents = Integer(default=0)
    checkin_code = Varchar(length=64, unique=True)
    token_version = Integer(default=1)
    accessibility_followed_up = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())
    # Folded copies of the name for sorting and searching in SQL (registration/name_keys.py).
    name_key = Text(default="")
    name_search = Text(default="")
    search_text = Text(default="")

    @classmethod
    def insert(cls, *rows):
        """Rows are inserted with their name keys, whoever builds them (orders, tests, benches)."""
        for row in rows:
            if not row.name_key:
                for column, value in name_columns(*(getattr(row, c) or "" for c in SOURCES)).items():
                    setattr(row, column, value)
        return super().insert(*rows)


class AttendeeAddOn(Table):
    attendee = ForeignKey(Attendee, on_delete=OnDelete.restrict, null=False)
    addon = ForeignKey(AddOn, on_delete=OnDelete.restrict, null=False)
    quantity = Integer(default=1)
    price_cents = Integer(default=0)


class Question(Table, tablename="registration_question"):
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    key = Varchar(length=40)
    label = Varchar(length=200)
    required = Boolean(default=False)
    choices = Text(help_text="One choice per line; empty = free text")
    position = Integer(default=0)


class Answer(Table, tablename="registration_answer"):
    attendee = ForeignKey(Attendee, on_delete=OnDelete.cascade, null=False, index=True)
    question = ForeignKey(Question, on_delete=OnDelete.restrict, null=False)
    value = Text()


class Demographics(Table, tablename="registration_demographics"):
    """Consented, optional, and deliberately unlinked: only the event, so reports can count.
    The order keeps only how many attendees answered (Order.demographics_count)."""

    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    race_ethnicity = Varchar(length=120)
    gender = Varchar(length=60)
    age_band = Varchar(length=20)
    professional_role = Varchar(length=60)
    recorded_on = Date()


class WaitlistEntry(Table):
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    category = ForeignKey(Category, on_delete=OnDelete.set_null, null=True)
    name = Varchar(length=200)
    email = Varchar(length=254)
    status = Varchar(length=16, default="waiting")  # waiting / offered / used / lapsed / left
    created_at = Timestamptz(default=TimestamptzNow())


class PaidWait(Table, tablename="paid_wait"):
    """A paid order with no place ("paid, no place") that staff put on the waiting list: it is
    served before any waitlist offer (it has paid), oldest first. `held` event places freed
    for it are kept counted as sold until it has all `places` (an order of several people
    collects them one by one); then it is reinstated. One row per order (`unique`): a second
    click is the same row."""

    order = ForeignKey(Order, on_delete=OnDelete.cascade, null=False, unique=True)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False, index=True)
    places = Integer(default=1)
    held = Integer(default=0)
    status = Varchar(length=16, default="waiting")  # waiting / placed / left
    queued_at = Timestamptz(default=TimestamptzNow())
    placed_at = Timestamptz(null=True, default=None)


class WaitlistOffer(Table):
    """A freed place held for one waitlisted person until `expires_at` (the place is counted as
    sold while the offer is open, so nobody else takes it meanwhile)."""

    entry = ForeignKey(WaitlistEntry, on_delete=OnDelete.cascade, null=False)
    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False)
    token_hash = Varchar(length=64, unique=True)
    expires_at = Timestamptz()
    status = Varchar(length=16, default="open")  # open / used / lapsed
    created_at = Timestamptz(default=TimestamptzNow())


class AttendeeTally(Table):
    """Active registrations counted per event, order state (confirmed / held: pending or
    awaiting payment / other), category, profession and UTC day of registration: what the
    dashboard shows. Each write of an attendee or of an order's status appends its difference
    (+1 / −1 rows) in the same transaction (the database's triggers, registration/tallies.py);
    the counts are the sums, folded into one row per key now and then, so reading them costs
    the same at 20,000 registrations as at 200. `confops check` compares them with the rows."""

    event = Integer(index=True)
    state = Varchar(length=16)
    category = Integer()
    profession = Varchar(length=60)
    day = Varchar(length=10)
    n = Integer(default=0)

"""The record of an event the society cancelled: the orders cancelled from then on are refunded
in full (event_cancellation.py); orders their buyers cancelled earlier keep their policy refund."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz
from piccolo.table import Table

from confops.events.tables import Event


class EventCancellation(Table, tablename="event_cancellation"):
    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False, unique=True)
    reason = Text()
    cancelled_at = Timestamptz()
    cancelled_by = Integer(null=True, default=None, help_text="User id, or empty: the worker (go/no-go)")

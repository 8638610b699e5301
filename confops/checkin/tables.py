"""Per-event keys for check-in tokens."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Text, Timestamptz
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.events.tables import Event


class EventSigningKey(Table):
    """The event's current check-in key (one row per event; rotation replaces the key and
    bumps `generation`, which refuses every token of the old generation).

    The key is 32 random bytes stored only sealed (AES-256-GCM under a key derived from
    CONFOPS_SECRET_KEY, event and generation as associated data; confops/checkin/keys.py):
    a database dump alone cannot forge badges, and neither can the secret key alone.
    """

    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False, unique=True, index=True)
    generation = Integer(default=1)
    key_sealed = Text(help_text="nonce ‖ AES-GCM(key), base64")
    created_at = Timestamptz(default=TimestamptzNow())

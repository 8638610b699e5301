"""Per-event keys for check-in tokens, check-in lists, scanner devices, scans and conflicts."""

from enum import StrEnum

from piccolo.columns import Boolean, Date, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.events.tables import Event, Session
from confops.registration.tables import Attendee


class EventSigningKey(Table):
    """The event's current check-in key (one row per event; rotation replaces the key and
    bumps `generation`, which refuses every token of the old generation).

    The key is 32 random bytes stored only sealed (AES-256-GCM under a key derived from
    CONFOPS_SECRET_KEY, event and generation as associated data; confops/checkin/keys.py):
    a database dump alone cannot forge badges, and neither can the secret key alone.
    """

    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False, unique=True)
    generation = Integer(default=1)
    key_sealed = Text(help_text="nonce ‖ AES-GCM(key), base64")
    created_at = Timestamptz(default=TimestamptzNow())


class ListKind(StrEnum):
    entry = "entry"      # the door of the event, one list per day
    session = "session"  # a session's room: attendance evidence for CME


class CheckinList(Table):
    """Where people are counted: the event's entrance on one day, or one session's room.

    A session list with ``track_exit`` takes "out" scans as well, so CME can credit the time
    actually spent in the room; otherwise every scan is "in".
    """

    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False, index=True)
    name = Varchar(length=120)
    kind = Varchar(length=16, choices=ListKind, default=ListKind.entry.value)
    day = Date(null=True, default=None)
    session = ForeignKey(Session, on_delete=OnDelete.restrict, null=True)
    track_exit = Boolean(default=False)
    created_at = Timestamptz(default=TimestamptzNow())


class ScannerDevice(Table):
    """A phone, tablet or laptop at a door, paired with a bearer token that staff saw once.

    Only the token's SHA-256 is stored. A device may scan only its event and, when
    ``list_ids`` is not empty, only those lists (comma-separated ids). Revoking is immediate
    in the database and reaches every worker's cache within DEVICE_CACHE_SECONDS.
    """

    event = ForeignKey(Event, on_delete=OnDelete.restrict, null=False, index=True)
    name = Varchar(length=80, help_text="Station name shown in 'already checked in at …'")
    token_hash = Varchar(length=64, unique=True)
    list_ids = Varchar(length=400, help_text="Comma-separated list ids; empty = every list of the event")
    created_by = Integer(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    revoked_at = Timestamptz(null=True, default=None)
    last_seen_at = Timestamptz(null=True, default=None)


class CheckinScan(Table):
    """An accepted check-in: one per list, attendee and direction (``once_key``), and one per
    device nonce (``nonce_key``) so a retried request or a re-uploaded offline queue is a no-op.

    Both keys are single columns (``"list:attendee:direction"``, ``"device:nonce"``) because a
    unique column is enforced identically on SQLite and PostgreSQL. Undoing a scan keeps the row
    (the audit trail) and clears ``once_key`` (NULLs never collide), so the person can be
    scanned again.

    On PostgreSQL the list and device references are kept by triggers, not foreign-key
    constraints (same rules, no lock on the shared list and device rows at every scan): see
    migration 2026-12-01T14:40:00. The columns stay ForeignKey here for joins and for SQLite.
    """

    checkin_list = ForeignKey(CheckinList, on_delete=OnDelete.restrict, null=False, index=True)
    attendee = ForeignKey(Attendee, on_delete=OnDelete.restrict, null=False, index=True)
    device = ForeignKey(ScannerDevice, on_delete=OnDelete.restrict, null=True)
    station = Varchar(length=80)
    direction = Varchar(length=3, default="in")
    scanned_at = Timestamptz(help_text="When the badge was scanned (the device's clock when offline)")
    received_at = Timestamptz(default=TimestamptzNow())
    offline = Boolean(default=False)
    manual = Boolean(default=False, help_text="Found by name at the desk, no badge scanned")
    nonce_key = Varchar(length=120, unique=True)
    once_key = Varchar(length=60, null=True, default=None, unique=True)
    undone_at = Timestamptz(null=True, default=None)


class CheckinConflict(Table):
    """An offline scan the server could not accept as it was (a second station let the same
    person in, or the badge was revoked meanwhile), kept until staff have looked at it."""

    checkin_list = ForeignKey(CheckinList, on_delete=OnDelete.restrict, null=False, index=True)
    attendee = ForeignKey(Attendee, on_delete=OnDelete.restrict, null=True)
    device = ForeignKey(ScannerDevice, on_delete=OnDelete.restrict, null=True)
    station = Varchar(length=80)
    direction = Varchar(length=3, default="in")
    reason = Varchar(length=30, help_text="already_checked_in, revoked, invalid, wrong_event, unpaid")
    scanned_at = Timestamptz()
    nonce_key = Varchar(length=120, unique=True)
    winner = ForeignKey(CheckinScan, on_delete=OnDelete.restrict, null=True)
    created_at = Timestamptz(default=TimestamptzNow())
    resolved_at = Timestamptz(null=True, default=None)
    resolved_by = Integer(null=True, default=None)
    resolution = Text()


class CheckinTally(Table):
    """Check-ins per list and 15-minute slot (checkin/tallies.py), for the dashboard's curves:
    each scan counted in, undone, moved or deleted appends its difference in the same
    transaction (the database's triggers); `confops check` compares the sums with the scans."""

    event = Integer(index=True)
    checkin_list = Integer()
    slot = Integer(help_text="Number of the 15-minute slot since the Unix epoch")
    n = Integer(default=0)

"""Which badges were printed, so staff can print "only those not yet printed"."""

from piccolo.columns import ForeignKey, Integer, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.accounts.tables import User
from confops.badges.kinds import PrintReason
from confops.events.tables import Event


class BadgePrint(Table):
    """One badge sent to the printer: for whom, with which token version, by whom, why.

    Keyed by `person_key` ("attendee-12", "speaker-3", "user-5") because speakers without a
    registration and staff get badges too. A badge printed with an older token version (the
    registration was transferred or its token revoked since) no longer counts as printed: its
    QR is refused at the door, so it belongs in the next "not yet printed" batch.
    """

    event = ForeignKey(Event, on_delete=OnDelete.cascade, null=False, index=True)
    person_key = Varchar(length=40, index=True)
    token_version = Integer(default=0)
    layout = Varchar(length=80)
    reason = Varchar(length=12, choices=PrintReason, default=PrintReason.batch.value)
    printed_by = ForeignKey(User, on_delete=OnDelete.set_null, null=True)
    printed_at = Timestamptz(default=TimestamptzNow())

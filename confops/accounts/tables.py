"""People who sign in, the roles they hold per organizer, and single-use sign-in links."""

from enum import StrEnum

from piccolo.columns import Boolean, ForeignKey, OnDelete, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.events.tables import Organizer


class Role(StrEnum):
    admin = "admin"
    registrar = "registrar"
    checkin = "checkin"
    cme_coordinator = "cme_coordinator"
    speaker = "speaker"
    attendee = "attendee"


STAFF_ROLES = frozenset({Role.admin, Role.registrar, Role.checkin, Role.cme_coordinator})


class User(Table, tablename="account_user"):
    email = Varchar(length=254, unique=True)
    display_name = Varchar(length=200)
    password_hash = Varchar(length=255, help_text="argon2; empty for link-only accounts")
    active = Boolean(default=True)
    created_at = Timestamptz(default=TimestamptzNow())
    last_login_at = Timestamptz(null=True, default=None)


class RoleGrant(Table):
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    organizer = ForeignKey(Organizer, on_delete=OnDelete.cascade, null=False)
    role = Varchar(length=20, choices=Role)


class LoginLink(Table):
    """Only a hash of the token is stored: a database leak does not leak working links."""

    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False)
    token_hash = Varchar(length=64, unique=True)
    next_path = Varchar(length=300)
    created_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    used_at = Timestamptz(null=True, default=None)

"""People who sign in, the organizers they work for, the roles they hold there, and single-use
sign-in links.

The organizer (the society that runs events and grants roles) is defined here rather than with
its events: roles are granted per organizer, and accounts sit below events. Role itself is in
core.auth, where every access rule names it."""

from piccolo.columns import Boolean, ForeignKey, Integer, OnDelete, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.table import Table

from confops.core.auth import Role


class Organizer(Table):
    slug = Varchar(length=64, unique=True)
    name = Varchar(length=200)
    short_name = Varchar(length=32)
    mission = Text()
    vision = Text()
    core_values = Text(help_text="One value per line")
    inclusion_statement = Text()
    affiliations = Text(help_text="One per line, e.g. member society of a federation")
    founded_year = Integer(null=True, default=None)
    nonprofit_status = Varchar(length=100, help_text="e.g. 501(c)(3) non-profit")
    tax_id = Varchar(length=40)
    address = Text(help_text="Postal address printed on receipts")
    city = Varchar(length=100)
    region = Varchar(length=100)
    country = Varchar(length=2, default="US")
    email = Varchar(length=254)
    website = Varchar(length=300)
    logo_path = Varchar(length=300, help_text="Path under badges/ or var/uploads/")
    created_at = Timestamptz(default=TimestamptzNow())


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


class SignInSession(Table, tablename="account_session"):
    """A signed-in browser. The cookie holds a random token; only its hash is stored, so a
    database leak opens no session. `stage` is "in" once sign-in is complete, or the step still
    owed ("second_factor", "enrol") after a correct password."""

    key_hash = Varchar(length=64, unique=True)
    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    stage = Varchar(length=20, default="in")
    created_at = Timestamptz(default=TimestamptzNow())
    last_seen_at = Timestamptz(default=TimestamptzNow())
    expires_at = Timestamptz()
    address = Varchar(length=64, default="")
    user_agent = Varchar(length=300, default="")
    data = Varchar(length=500, default="", help_text="JSON: what a stage carries (the pending TOTP secret, next page)")


class SecondFactor(Table, tablename="account_second_factor"):
    """A person's TOTP secret, encrypted with a key derived from CONFOPS_SECRET_KEY."""

    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, unique=True)
    secret_encrypted = Varchar(length=300)
    enabled_at = Timestamptz(default=TimestamptzNow())
    last_step = Integer(default=0, help_text="the last time step accepted: a code works once")


class RecoveryCode(Table, tablename="account_recovery_code"):
    """Single-use codes for a lost authenticator; only hashes are kept."""

    user = ForeignKey(User, on_delete=OnDelete.cascade, null=False, index=True)
    code_hash = Varchar(length=64, unique=True)
    used_at = Timestamptz(null=True, default=None)


class SignInThrottle(Table, tablename="account_sign_in_throttle"):
    """Failed sign-ins per account and per address, counted per time window (the key names
    both), where every worker sees them. Redis holds the same counts when it is configured."""

    key = Varchar(length=200, unique=True)
    failures = Integer(default=0)
    expires_at = Timestamptz()

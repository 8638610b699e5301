"""Accounts: staff with passwords (and a second factor), attendees and speakers with
single-use e-mailed links. A staff account never signs in by link: a mailbox alone must not open
the staff pages."""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

from confops.accounts import passwords, sessions
from confops.accounts.tables import LoginLink, Organizer, RoleGrant, User
from confops.core import clock, outbox
from confops.core.auth import STAFF_ROLES, Principal, Role
from confops.core.errors import FieldError, InvalidCredentials, collect
from confops.core.mail import Message
from confops.core.rendering import render_mail
from confops.db import insert_or_get, insert_or_ignore, transaction

EMAIL_RE = re.compile(r"^[^@\s<>\"'(),;:\\\[\]]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$")


def normalize_email(raw: str) -> str:
    return (raw or "").strip().lower()


def email_problem(email: str) -> str | None:
    if not email:
        return "Enter an e-mail address."
    if len(email) > 254 or not EMAIL_RE.match(email):
        return "Enter a valid e-mail address, like name@example.org."
    return None


def safe_next_path(raw: str | None, default: str) -> str:
    """Only same-site paths: a sign-in link must never redirect to another site."""
    if raw and raw.startswith("/") and not raw.startswith("//") and "\\" not in raw and len(raw) <= 300:
        return raw
    return default


@dataclass(frozen=True)
class NewUser:
    id: int
    email: str
    created: bool


async def create_user(
    email: str,
    display_name: str,
    *,
    password: str | None = None,
    password_hash: str | None = None,
    roles: list[tuple[str, Role]] | None = None,
) -> NewUser:
    """Create the user, or add roles and set the password of an existing one.

    `password_hash` (an argon2 hash made earlier) saves the deliberate cost of hashing again,
    e.g. for demo accounts that share one password.
    """
    email = normalize_email(email)
    display_name = (display_name or "").strip()
    problems: list[FieldError] = []
    if message := email_problem(email):
        problems.append(FieldError("email", message))
    if not display_name:
        problems.append(FieldError("display_name", "Enter a name."))
    elif len(display_name) > 200:
        problems.append(FieldError("display_name", "Use at most 200 characters."))
    if password is not None and len(password) < passwords.MIN_LENGTH:
        problems.append(FieldError("password", f"Use at least {passwords.MIN_LENGTH} characters."))
    organizers: dict[str, int] = {}
    for slug, _role in roles or []:
        org = await Organizer.select(Organizer.id).where(Organizer.slug == slug).first()
        if org is None:
            problems.append(FieldError("organizer", f"No organizer with slug {slug!r}."))
        else:
            organizers[slug] = org["id"]
    collect(problems)

    # Hash before the transaction: it is slow on purpose and must not hold the write lock.
    new_hash = password_hash or (passwords.hash_password(password) if password else None)
    async with transaction():
        # Two sign-ups of one address at once make one account, and one grant of each role.
        user_id, created = await insert_or_get(User(email=email, display_name=display_name,
                                                    password_hash=new_hash or ""), User.email == email)
        if not created and new_hash is not None:
            await User.update({User.password_hash: new_hash}).where(User.id == user_id)
            await sessions.end_all(user_id)  # a new password ends every session of the old one
        for slug, role in roles or []:
            await insert_or_ignore(RoleGrant(user=user_id, organizer=organizers[slug], role=role.value))
    return NewUser(user_id, email, created)


async def authenticate(email: str, password: str) -> int:
    """Return the user id for a correct staff password; one vague error for every failure."""
    email = normalize_email(email)
    row = await User.select(User.id, User.password_hash, User.active).where(User.email == email).first()
    ok = passwords.verify_password(row["password_hash"] if row else "", password or "")
    if not row or not ok or not row["active"]:
        raise InvalidCredentials("That e-mail and password do not match an active staff account.")
    return row["id"]


async def has_staff_role(user_id: int) -> bool:
    return await RoleGrant.exists().where(
        (RoleGrant.user == user_id) & RoleGrant.role.is_in([r.value for r in STAFF_ROLES]))


async def record_sign_in(user_id: int) -> None:
    await User.update({User.last_login_at: clock.now()}).where(User.id == user_id)


async def change_password(user_id: int, current: str, new: str, confirm: str, *, keep_session: str | None) -> int:
    """Change a password after checking the current one; every other session of the person
    ends (a stolen session does not outlive the password it was opened with). Returns how
    many sessions ended."""
    row = await User.select(User.password_hash).where(User.id == user_id).first()
    problems: list[FieldError] = []
    if row is None or not passwords.verify_password(row["password_hash"], current or ""):
        problems.append(FieldError("current_password", "That is not your current password."))
    if len(new or "") < passwords.MIN_LENGTH:
        problems.append(FieldError("new_password", f"Use at least {passwords.MIN_LENGTH} characters."))
    elif len(new) > 200:
        problems.append(FieldError("new_password", "Use at most 200 characters."))
    elif new != confirm:
        problems.append(FieldError("confirm_password", "The two new passwords differ."))
    collect(problems)
    await User.update({User.password_hash: passwords.hash_password(new)}).where(User.id == user_id)
    return await sessions.end_all(user_id, keep=keep_session)


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def request_login_link(
    email: str,
    *,
    base_url: str,
    valid_minutes: int,
    next_path: str = "/account",
) -> bool:
    """E-mail (through the outbox) a single-use sign-in link if the address has an account.

    Returns whether a link was sent; callers must not tell the visitor which (no account
    enumeration).
    """
    email = normalize_email(email)
    if message := email_problem(email):
        collect([FieldError("email", message)])
    user = await User.select(User.id, User.display_name, User.active).where(User.email == email).first()
    if not user or not user["active"] or await has_staff_role(user["id"]):
        return False  # staff sign in with their password; the visitor is not told which
    async with transaction():
        token = await issue_login_link(user["id"], next_path=next_path, valid_minutes=valid_minutes)
        link = f"{base_url}/login/link/{token}"
        # about no event: sent in the site's default organizer's name (events.branding.BrandMailer)
        text, html = render_mail("sign_in_link", brand=None, name=user["display_name"], minutes=valid_minutes, link=link)
        await outbox.enqueue(Message(to=email, subject="Your sign-in link", text=text, html=html))
    return True


async def issue_login_link(user_id: int, *, next_path: str, valid_minutes: int) -> str:
    """A single-use sign-in token for a known user, for links other services put in their mail
    (speaker invitations). Returns the token; only its hash is stored."""
    token = secrets.token_urlsafe(32)
    await LoginLink(
        user=user_id,
        token_hash=_hash_token(token),
        next_path=safe_next_path(next_path, "/account"),
        expires_at=clock.now() + timedelta(minutes=valid_minutes),
    ).save()
    return token


async def consume_login_link(token: str) -> tuple[int, str]:
    """Use a sign-in link: exactly once, before it expires. Returns (user id, next path)."""
    now = clock.now()
    used = await LoginLink.update({LoginLink.used_at: now}).where(
        (LoginLink.token_hash == _hash_token(token or ""))
        & LoginLink.used_at.is_null()
        & (LoginLink.expires_at > now)
    ).returning(LoginLink.user, LoginLink.next_path)
    if not used:
        raise InvalidCredentials(
            "This sign-in link has expired or was already used. Ask for a new one.", code="link_invalid"
        )
    user_id = used[0]["user"]
    if await has_staff_role(user_id):
        # A link made before the person became staff, or by another area's invitation mail.
        raise InvalidCredentials("Staff accounts sign in with their password (and second factor), "
                                 "not by e-mailed link.", code="staff_use_password")
    await User.update({User.last_login_at: now}).where(User.id == user_id)
    return user_id, used[0]["next_path"] or "/account"


async def login_link_is_usable(token: str) -> bool:
    return await LoginLink.exists().where(
        (LoginLink.token_hash == _hash_token(token or ""))
        & LoginLink.used_at.is_null()
        & (LoginLink.expires_at > clock.now())
    )


async def load_principal(user_id: int) -> Principal | None:
    user = await User.select(User.id, User.email, User.display_name, User.active).where(
        User.id == user_id
    ).first()
    if not user or not user["active"]:
        return None
    grants = await RoleGrant.select(RoleGrant.organizer, RoleGrant.role).where(RoleGrant.user == user_id)
    roles: dict[int, set[Role]] = {}
    for grant in grants:
        roles.setdefault(grant["organizer"], set()).add(Role(grant["role"]))
    return Principal(
        user_id=user["id"],
        email=user["email"],
        display_name=user["display_name"],
        roles={org: frozenset(held) for org, held in roles.items()},
    )


async def purge_expired_login_links() -> int:
    """Drop links that can no longer be used; a day's grace keeps recent ones for support."""
    cutoff = clock.now() - timedelta(days=1)
    gone = await LoginLink.delete().where(LoginLink.expires_at < cutoff).returning(LoginLink.id)
    return len(gone)


async def has_password(user_id: int) -> bool:
    user = await User.select(User.password_hash).where(User.id == user_id).first()
    return bool(user and user["password_hash"])


async def staff_organizers_of(email: str) -> tuple[int, set[int]] | None:
    """The account with this e-mail and the organizers where it holds a staff role; None when
    there is no such account."""
    user = await User.select(User.id).where(User.email == email).first()
    if user is None:
        return None
    grants = await RoleGrant.select(RoleGrant.organizer, RoleGrant.role).where(RoleGrant.user == user["id"])
    return user["id"], {g["organizer"] for g in grants if g["role"] in {r.value for r in STAFF_ROLES}}

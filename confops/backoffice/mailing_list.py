"""The society's mailing list: double opt-in joining, and one-click unsubscribe.

Joining sends a confirmation link; nobody is subscribed until they click it, so nobody can
sign a stranger up. Every bulk message carries List-Unsubscribe (+ List-Unsubscribe-Post, RFC
8058) with a signed token for (organizer, address): unsubscribing needs no account and no
stored token, and covers bulk mail about any event of that organizer. Transactional mail
(confirmations, receipts, sign-in links) never looks at this list.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

from confops.accounts import brands
from confops.accounts.tables import Organizer
from confops.backoffice.tables import ListStatus, MailingListMember
from confops.core import clock
from confops.core.errors import Invalid, NotFound
from confops.core.mail import Message
from confops.core.outbox import enqueue
from confops.core.rendering import render_mail
from confops.db import transaction
from confops.registration.config import CONFIG


def _normal(email: str) -> str:
    return (email or "").strip().lower()


def _sign(organizer_id: int, email: str, secret: str | None = None) -> str:
    mac = hmac.new(f"unsubscribe:{secret or CONFIG.secret}".encode(), f"{organizer_id}:{email}".encode(), hashlib.sha256)
    return mac.hexdigest()[:32]


def unsubscribe_token(organizer_id: int, email: str) -> str:
    email = _normal(email)
    packed = base64.urlsafe_b64encode(email.encode()).decode().rstrip("=")
    return f"{organizer_id}.{packed}.{_sign(organizer_id, email)}"


def read_token(token: str) -> tuple[int, str]:
    try:
        org, packed, mac = token.split(".")
        email = base64.urlsafe_b64decode(packed + "=" * (-len(packed) % 4)).decode()
        organizer_id = int(org)
    except (ValueError, UnicodeDecodeError) as exc:
        raise NotFound("This unsubscribe link is not valid.") from exc
    # links in mail sent before a key rotation carry the old key's signature
    if not any(hmac.compare_digest(mac, _sign(organizer_id, email, secret))
               for secret in (CONFIG.secret, *CONFIG.old_secrets)):
        raise NotFound("This unsubscribe link is not valid.")
    return organizer_id, email


def unsubscribe_headers(organizer_id: int, email: str) -> tuple[tuple[str, str], ...]:
    url = f"{CONFIG.base_url}/unsubscribe/{unsubscribe_token(organizer_id, email)}"
    return (("List-Unsubscribe", f"<{url}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))


async def join(organizer_slug: str, email: str, name: str = "") -> None:
    """Ask to join; the confirmation e-mail is sent whatever the current state (no enumeration)."""
    email = _normal(email)
    if "@" not in email or len(email) > 254:
        raise Invalid("Please enter your e-mail address.", field="email")
    org = await Organizer.select(Organizer.id, Organizer.name).where(Organizer.slug == organizer_slug).first()
    if org is None:
        raise NotFound("There is no such organizer.")
    async with transaction():
        row = await MailingListMember.select().where(
            (MailingListMember.organizer == org["id"]) & (MailingListMember.email == email)).first()
        if row and row["status"] == ListStatus.subscribed.value:
            return
        token = secrets.token_urlsafe(24)
        if row:
            await MailingListMember.update({MailingListMember.token: token, MailingListMember.name: name[:200]}).where(
                MailingListMember.id == row["id"])
        else:
            await MailingListMember(organizer=org["id"], email=email, name=name[:200], token=token,
                                    status=ListStatus.pending.value).save()
        link = f"{CONFIG.base_url}/mailing-list/confirm/{token}"
        brand = await brands.of(org["id"])
        text, html = render_mail("mailing_list_confirm", brand=brand, organizer=org, link=link)
        await enqueue(Message(to=email, subject=f"Please confirm: {org['name']} mailing list", text=text, html=html,
                              brand=brand))


async def confirm(token: str) -> dict:
    row = await MailingListMember.select().where(MailingListMember.token == (token or "")[:64]).first()
    if row is None:
        raise NotFound("This confirmation link is not valid (it may have been replaced by a newer one).")
    if row["status"] != ListStatus.subscribed.value:  # a second click keeps the first confirmation's time
        await MailingListMember.update({MailingListMember.status: ListStatus.subscribed.value,
                                        MailingListMember.confirmed_at: clock.now(),
                                        MailingListMember.unsubscribed_at: None}).where(
            (MailingListMember.id == row["id"]) & (MailingListMember.status != ListStatus.subscribed.value))
    return row


async def unsubscribe(token: str) -> str:
    """Stop bulk mail to this address from this organizer; returns the address."""
    organizer_id, email = read_token(token)
    async with transaction():
        row = await MailingListMember.select(MailingListMember.id).where(
            (MailingListMember.organizer == organizer_id) & (MailingListMember.email == email)).first()
        # A new token: the confirmation link of an earlier joining no longer puts them back.
        values = {MailingListMember.status: ListStatus.unsubscribed.value,
                  MailingListMember.unsubscribed_at: clock.now(), MailingListMember.token: secrets.token_urlsafe(24)}
        if row:
            await MailingListMember.update(values).where(MailingListMember.id == row["id"])
        else:
            await MailingListMember(organizer=organizer_id, email=email, token=values[MailingListMember.token],
                                    status=ListStatus.unsubscribed.value, unsubscribed_at=clock.now()).save()
    return email


async def unsubscribed(organizer_id: int, emails: list[str]) -> set[str]:
    if not emails:
        return set()
    rows = await MailingListMember.select(MailingListMember.email).where(
        (MailingListMember.organizer == organizer_id) & (MailingListMember.status == ListStatus.unsubscribed.value)
        & MailingListMember.email.is_in([_normal(e) for e in emails]))
    return {r["email"] for r in rows}


async def subscribers(organizer_id: int) -> list[dict]:
    return await MailingListMember.select(MailingListMember.email, MailingListMember.name).where(
        (MailingListMember.organizer == organizer_id) & (MailingListMember.status == ListStatus.subscribed.value)
    ).order_by(MailingListMember.email)

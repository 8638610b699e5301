"""Sending e-mail: SMTP when configured, otherwise .eml files a developer can open.

Both mailers take the same Message, so everything that sends mail is tested the same way
against a real SMTP server (aiosmtpd) and works offline in development.
"""

from __future__ import annotations

import functools
import logging
import re
import secrets
from dataclasses import dataclass, field, replace
from email.message import EmailMessage
from email.utils import format_datetime, formataddr, make_msgid, parseaddr
from pathlib import Path
from typing import Protocol
from urllib.parse import parse_qs, unquote, urlparse

import aiosmtplib

from confops.core import clock

log = logging.getLogger("confops.mail")


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    mime_type: str  # e.g. "text/calendar"
    inline_cid: str | None = None  # set for images referenced from the HTML body


@dataclass(frozen=True)
class Brand:
    """The organizer a message speaks for: its name heads and signs the HTML layout and is the
    sender's name, its logo (by slug) is the inline image. Several societies share one site, so
    a message about an event carries its organizer's brand, never the site's default."""

    slug: str
    name: str


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str | None = None
    attachments: tuple[Attachment, ...] = field(default_factory=tuple)
    reply_to: str | None = None
    # Extra headers, e.g. List-Unsubscribe and List-Unsubscribe-Post on bulk mail.
    headers: tuple[tuple[str, str], ...] = field(default_factory=tuple)
    # None: not about one organizer's event (a sign-in link); the sending mailer then gives it
    # the site's default organizer (events.branding.BrandMailer)
    brand: Brand | None = None


# The society's logo in every HTML e-mail's header (templates/email/_layout.html), attached
# inline: mail clients block remote images by default, and a data: URL is dropped by several.
LOGO_CID = "logo@confops"
_LOGO = Path(__file__).resolve().parents[1] / "web" / "static" / "brand" / "logo-128.png"


@functools.cache
def _logo() -> bytes:
    return _LOGO.read_bytes()


def build_email(message: Message, sender: str) -> EmailMessage:
    """The MIME message: the text part, and an HTML part in the shared layout with the logo and
    any inline images; a message written as text alone gets its HTML part from that text, so
    every e-mail the system sends is branded the same way."""
    name, address = parseaddr(sender)
    brand = message.brand or Brand("", name or "confops")
    if message.html is None:
        from confops.core.rendering import render_notice  # jinja only where mail is built

        message = replace(message, html=render_notice(message.text, message.subject, brand))
    email = EmailMessage()
    # the configured address, in the name of the organizer the message speaks for
    email["From"] = formataddr((message.brand.name, address)) if message.brand else sender
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Date"] = format_datetime(clock.now())
    email["Message-ID"] = make_msgid(domain="confops.local")
    if message.reply_to:
        email["Reply-To"] = message.reply_to
    for name, value in message.headers:
        email[name] = value
    email.set_content(message.text)
    inline = [a for a in message.attachments if a.inline_cid]
    if f"cid:{LOGO_CID}" in message.html and not any(a.inline_cid == LOGO_CID for a in inline):  # the society mark
        inline.append(Attachment("logo.png", _logo(), "image/png", inline_cid=LOGO_CID))
    if message.html is not None:
        email.add_alternative(message.html, subtype="html")
        html_part = email.get_payload()[-1]
        for att in inline:
            maintype, subtype = att.mime_type.split("/", 1)
            html_part.add_related(
                att.content, maintype=maintype, subtype=subtype, cid=f"<{att.inline_cid}>",
                filename=att.filename, disposition="inline",
            )
    for att in message.attachments:
        if att.inline_cid and message.html is not None:
            continue
        maintype, subtype = att.mime_type.split("/", 1)
        email.add_attachment(att.content, maintype=maintype, subtype=subtype, filename=att.filename)
    return email


class Mailer(Protocol):
    async def send(self, message: Message) -> None: ...


class FileMailer:
    """Development mailer: each message becomes an .eml file under var/mail/."""

    def __init__(self, directory: Path, sender: str) -> None:
        self.directory = directory
        self.sender = sender

    async def send(self, message: Message) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = clock.now().strftime("%Y%m%dT%H%M%S")
        slug = re.sub(r"[^a-z0-9]+", "-", message.to.lower())[:40]
        path = self.directory / f"{stamp}-{slug}-{secrets.token_hex(3)}.eml"
        path.write_bytes(bytes(build_email(message, self.sender)))
        log.info("mail written to %s", path)


class SmtpMailer:
    def __init__(self, url: str, sender: str) -> None:
        parsed = urlparse(url)
        query = parse_qs(parsed.query)
        self.sender = sender
        self.hostname = parsed.hostname or "127.0.0.1"
        self.use_tls = parsed.scheme == "smtps"
        self.port = parsed.port or (465 if self.use_tls else 25)
        self.username = unquote(parsed.username) if parsed.username else None
        self.password = unquote(parsed.password) if parsed.password else None
        self.start_tls = query.get("starttls", ["0"])[0] in {"1", "true", "yes"}

    async def send(self, message: Message) -> None:
        await aiosmtplib.send(
            build_email(message, self.sender),
            hostname=self.hostname,
            port=self.port,
            username=self.username,
            password=self.password,
            use_tls=self.use_tls,
            start_tls=self.start_tls,
            timeout=30,
        )


def make_mailer(smtp_url: str, sender: str, mail_dir: Path) -> Mailer:
    if smtp_url:
        return SmtpMailer(smtp_url, sender)
    return FileMailer(mail_dir, sender)

"""Jinja templates for every area: the environment with the filters all templates share, and
e-mails rendered from `templates/email/<name>.txt` and `.html` in one place. Every e-mail has
its text part; the HTML part is there when the template has one (a notice to staff may not).

The HTML environment autoescapes (a name like `<script>` arrives as text); the text part needs
no escaping. Pages add their own filters on top (web/templating.py); services render mail here
and never import the web layer.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import cache

from jinja2 import (
    Environment,
    FileSystemLoader,
    StrictUndefined,
    TemplateNotFound,
    select_autoescape,
)

from confops.core.clock import local
from confops.core.mail import Brand
from confops.core.money import money
from confops.resources import shipped

TEMPLATES = shipped("templates")


def _time(moment: datetime, tz: str) -> str:
    return local(moment, tz).strftime("%-I:%M %p").lower().replace(":00 ", " ")


def _day(moment: datetime, tz: str) -> str:
    return local(moment, tz).strftime("%A, %B %-d, %Y")


def _date_range(start: datetime, end: datetime, tz: str) -> str:
    a, b = local(start, tz), local(end, tz)
    if a.date() == b.date():
        return a.strftime("%B %-d, %Y")
    if (a.year, a.month) == (b.year, b.month):
        return f"{a.strftime('%B %-d')}–{b.strftime('%-d, %Y')}"
    if a.year == b.year:
        return f"{a.strftime('%B %-d')} – {b.strftime('%B %-d, %Y')}"
    return f"{a.strftime('%B %-d, %Y')} – {b.strftime('%B %-d, %Y')}"


def _minutes(start: datetime, end: datetime) -> int:
    return int((end - start).total_seconds() // 60)


def environment(*, html: bool = True) -> Environment:
    """A new environment over templates/ with the shared filters; `html=False` for text parts."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml", "txt"], default_for_string=True, default=True) if html else False,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(time=_time, day=_day, date_range=_date_range, minutes=_minutes, money=money)
    return env


@cache
def _mail_environments() -> tuple[Environment, Environment]:
    return environment(html=False), environment(html=True)


@cache
def _has_html(template: str) -> bool:
    try:
        _mail_environments()[1].get_template(f"email/{template}.html")
    except TemplateNotFound:
        return False
    return True


def render_mail(template: str, /, *, brand: Brand | None, **context) -> tuple[str, str | None]:
    """The text and HTML parts of the e-mail `template` (the context may hold any name), in the
    name of the organizer `brand` (the layout's header and footer; None only for a text-only
    message about no organizer, which the mailer sends in the default organizer's name); the
    HTML part is None when there is no `.html` template (core.mail then lays the text out in the
    shared layout, render_notice)."""
    text, html = _mail_environments()
    return (text.get_template(f"email/{template}.txt").render(brand=brand, **context),
            html.get_template(f"email/{template}.html").render(brand=brand, **context) if _has_html(template) else None)


_URL = re.compile(r"https?://[^\s<>\"]+[^\s<>\".,;:!?)]")


def _pieces(line: str) -> list[dict]:
    pieces, at = [], 0
    for found in _URL.finditer(line):
        if found.start() > at:
            pieces.append({"text": line[at:found.start()], "url": None})
        pieces.append({"text": found.group(), "url": found.group()})
        at = found.end()
    if at < len(line):
        pieces.append({"text": line[at:], "url": None})
    return pieces


def notice_blocks(text: str) -> list[dict]:
    """A plain-text message as blocks for templates/email/notice.html: paragraphs (blank-line
    separated, their URLs linked), a "--" line as a rule, and a paragraph that is one link alone
    as a button (the first such) or a link of its own."""
    blocks, button = [], False
    for paragraph in re.split(r"\n\s*\n", text.strip()):
        lines = [line.rstrip() for line in paragraph.splitlines()]
        if lines and lines[0].strip() == "--":
            blocks.append({"kind": "rule"})
            lines = lines[1:]
        if not lines:
            continue
        alone = _URL.fullmatch(lines[0].strip()) if len(lines) == 1 else None
        if alone:
            blocks.append({"kind": "link" if button else "button", "url": alone.group()})
            button = True
        else:
            blocks.append({"kind": "text", "lines": [_pieces(line) for line in lines]})
    return blocks


def render_notice(text: str, subject: str, brand: Brand) -> str:
    """The HTML part, in the shared layout, of a message written as plain text."""
    return _mail_environments()[1].get_template("email/notice.html").render(
        blocks=notice_blocks(text), subject=subject, brand=brand)

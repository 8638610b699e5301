"""The Jinja environment: autoescaping everywhere, and filters that show times in the event's zone."""

from __future__ import annotations

from datetime import datetime

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from confops.core.clock import local
from confops.core.money import money
from confops.events import labels
from confops.events.markdown import render_markdown
from confops.registration import form_labels
from confops.resources import shipped
from confops.web.boundary import csp_nonce

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


def make_environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html", "xml", "txt"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(
        time=_time,
        day=_day,
        date_range=_date_range,
        minutes=_minutes,
        event_kind=lambda code: labels.EVENT_KIND.get(code, code),
        event_status=lambda code: labels.EVENT_STATUS.get(code, code),
        session_kind=lambda code: labels.SESSION_KIND.get(code, code),
        speaker_role=lambda code: labels.SPEAKER_ROLE.get(code, code),
        credit=labels.credit_text,
        profession=labels.profession_label,
        zone=labels.zone_label,
        money=money,
        markdown=render_markdown,
    )
    env.globals["event_kinds"] = labels.EVENT_KIND
    env.globals["csp_nonce"] = csp_nonce
    env.globals["error_summary"] = form_labels.summary
    return env

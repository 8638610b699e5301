"""The pages' Jinja environment: core.rendering's (autoescaping, times in the event's zone, money)
with the labels, Markdown and the CSP nonce that pages use."""

from __future__ import annotations

from jinja2 import Environment

from confops.backoffice.privacy import PRIVACY_KIND, PRIVACY_STATUS
from confops.cme.credit_types import CREDIT_TYPES
from confops.cme.kinds import CERTIFICATE_STATUS
from confops.core.rendering import environment
from confops.documents.certificates import FORMATS
from confops.events import labels
from confops.events.markdown import render_markdown
from confops.groups.kinds import RUN_STATUS, TRAINING_KIND
from confops.registration import form_labels
from confops.registration.status_labels import attendee_status
from confops.web.boundary import csp_nonce


def words(code) -> str:
    """A stored name as words ("second_factor_enabled" -> "second factor enabled"), for pages
    that show what the system recorded (the audit log)."""
    return str(code).replace("_", " ") if isinstance(code, str) else code


def make_environment() -> Environment:
    env = environment()
    env.filters.update(
        event_kind=lambda code: labels.EVENT_KIND.get(code, code),
        event_status=lambda code: labels.EVENT_STATUS.get(code, code),
        session_kind=lambda code: labels.SESSION_KIND.get(code, code),
        speaker_role=lambda code: labels.SPEAKER_ROLE.get(code, code),
        planner_role=lambda code: labels.PLANNER_ROLE.get(code, code),
        learning_format=lambda code: FORMATS.get(code, code),
        run_status=lambda code: RUN_STATUS.get(code, code),
        training_kind=lambda code: TRAINING_KIND.get(code, code),
        privacy_kind=lambda code: PRIVACY_KIND.get(code, code),
        privacy_status=lambda code: PRIVACY_STATUS.get(code, code),
        credit=labels.credit_text,
        profession=labels.profession_label,
        zone=labels.zone_label,
        credit_type=lambda key: CREDIT_TYPES[key].name if key in CREDIT_TYPES else key,
        certificate_status=lambda code: CERTIFICATE_STATUS.get(code, code),
        attendee_status=attendee_status,
        words=words,
        markdown=render_markdown,
    )
    env.globals["event_kinds"] = labels.EVENT_KIND
    env.globals["csp_nonce"] = csp_nonce
    env.globals["error_summary"] = form_labels.summary
    return env

"""What the back office answers to other areas: it keeps the audit log of every staff change,
and contributes its own records to a person's data download."""

from __future__ import annotations

from typing import Any

from confops.backoffice import audit
from confops.backoffice.tables import MailingListMember, PrivacyRequest
from confops.core.extension import provides


@provides("staff_change")
async def log_staff_change(actor_id: int | None, action: str, entity: str, entity_id: Any,
                           before: dict | None = None, after: dict | None = None) -> None:
    await audit.record(actor_id, action, entity, entity_id, before, after)


@provides("personal_data")
async def mailing_list_and_requests(user_id: int | None, email: str) -> dict[str, list[dict]]:
    members = await MailingListMember.select(MailingListMember.email, MailingListMember.name,
                                             MailingListMember.status, MailingListMember.created_at,
                                             MailingListMember.unsubscribed_at).where(
        MailingListMember.email == email.lower())
    requests = await PrivacyRequest.select(PrivacyRequest.kind, PrivacyRequest.status, PrivacyRequest.message,
                                           PrivacyRequest.created_at, PrivacyRequest.outcome).where(
        PrivacyRequest.email == email.lower())
    return {"Mailing list": members, "Privacy requests": requests}

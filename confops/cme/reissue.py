"""A designation corrected after learners claimed reaches the certificates already issued.

Each claim is held to what the corrected designation lets its learner claim (lowered if it is
now above it, never raised: the learner claimed what they claimed), and each valid certificate
whose printed content changes is issued again: a new record, with a new serial, that supersedes
the old one (whose credential then shows as superseded in the status list). Its learner is
e-mailed the reason and the new serial. Runs in the correction's transaction."""

from __future__ import annotations

from confops.cme import certificates, learners
from confops.cme.designation import activity_of
from confops.cme.rules import format_credit
from confops.cme.tables import Certificate, CertificateStatus, CmeClaim
from confops.core import clock, outbox
from confops.core.errors import Conflict
from confops.core.mail import Message
from confops.core.rendering import render_mail
from confops.registration.tables import Attendee


async def reissue_after_correction(event: dict, reason: str) -> int:
    """How many certificates were issued again."""
    activity = await activity_of(event)
    claims = await CmeClaim.select().where(CmeClaim.event == event["id"]).order_by(CmeClaim.id)
    people = {a["id"]: a for a in await Attendee.select().where(
        Attendee.id.is_in([c["attendee"] for c in claims] or [0]))}
    reissued = 0
    for claim in claims:
        attendee = people[claim["attendee"]]
        state = await learners.state(attendee, event, activity=activity, claim=claim)
        allowed = state["eligible"].get(claim["credit_type"], 0)
        if claim["quarters"] > allowed:
            await CmeClaim.update({CmeClaim.quarters: allowed, CmeClaim.eligible_quarters: allowed,
                                   CmeClaim.updated_at: clock.now()}).where(CmeClaim.id == claim["id"])
        old = await Certificate.select().where(
            (Certificate.attendee == attendee["id"]) & (Certificate.kind == "learner")
            & (Certificate.status == CertificateStatus.valid.value)).first()
        if old is None:
            continue  # never issued, or revoked: a correction does not bring a certificate back
        try:
            new = await certificates.issue_for_claim(attendee["id"])
        except Conflict:  # the registration no longer carries credit: its certificate is revoked elsewhere
            continue
        if new["id"] != old["id"]:
            reissued += 1
            await _tell(old, new, reason)
    return reissued


async def _tell(old: dict, new: dict, reason: str) -> None:
    c = certificates.contents(new)
    brand = await certificates.brand_of(new)
    text, html = render_mail("cme_certificate_reissued", brand=brand, learner=c["learner"], activity=c["activity"],
                             dates=c["dates"], reason=reason, old_serial=old["serial"], new_serial=new["serial"],
                             credits=format_credit(c["quarters"]), credit_label=c["credit_label"],
                             designated=c["designated"])
    await outbox.enqueue(Message(to=new["email"], subject=f"Your CME certificate was re-issued: {c['activity']}",
                                 text=text, html=html, brand=brand), dedupe_key=f"cme-reissued:{new['id']}")

"""CME's part in the cross-area wiring (confops/core/extension.py): scans and small-group roll
calls become attendance evidence; the dashboard, exports and privacy tools ask CME too."""

from __future__ import annotations

from datetime import timedelta

from confops.cme import evidence
from confops.core import clock
from confops.core.extension import ExportSource, Keep, Panel, many_of, provides

KEEP_YEARS = 6


@provides("session_scan_accepted")
async def on_session_scan(*, attendee_id, session_id, direction, scanned_at, list_id=None, **_):
    await evidence.record_session_scan(attendee_id, session_id, direction, scanned_at)


@provides("entry_scan_accepted")
async def on_entry_scan(*, attendee_id, event_id, scanned_at, list_id=None, event=None, **_):
    await evidence.record_entry_scan(attendee_id, event_id, scanned_at, event=event)


@many_of(on_entry_scan)
async def on_entry_scans(payloads: list[dict]):
    await evidence.record_entry_scans(payloads)


@provides("scan_undone")
async def on_scan_undone(*, attendee_id, event_id, session_id, direction, scanned_at, list_id=None, **_):
    await evidence.withdraw_scan(attendee_id, event_id, session_id, direction, scanned_at)


@provides("group_meeting_attended")
async def on_group_meeting(*, attendee_id, session_id, attended_at, present, marked_by=None, meeting_id=None, **_):
    await evidence.record_group_meeting(attendee_id, session_id, present, attended_at, marked_by)


@provides("registration_cancelled")
async def on_registration_cancelled(*, attendee_ids, reason="", **_):
    await revoke_unsettled(list(attendee_ids), f"Registration cancelled. {reason}".strip())


@provides("registration_transferred")
async def on_registration_transferred(*, attendee_id, previous_email, email, **_):
    """The place went to someone else: the previous holder's certificate is revoked, and their
    evidence, claim and evaluation stop being the registration's, so the new holder claims on
    their own evidence only. A "transfer" to the same e-mail only corrects the holder's details."""
    if (previous_email or "").lower() == (email or "").lower():
        return
    await evidence.part_from_registration(attendee_id, previous_email)
    await revoke_for_registrations([attendee_id], "Registration transferred to another person.")


@provides("order_refunded")
async def on_order_refunded(*, order_id, reason="", **_):
    """Any refund, by staff or made in Stripe: the certificate goes only if the registration is no
    longer paid (a partial refund that leaves it paid changes nothing)."""
    from confops.registration.tables import Attendee

    ids = [a["id"] for a in await Attendee.select(Attendee.id).where(Attendee.order == order_id)]
    await revoke_unsettled(ids, f"Registration refunded: {reason}".strip())


async def revoke_unsettled(attendee_ids: list[int], reason: str) -> int:
    """After a cancellation or a refund: the registrations that no longer carry credit, by the
    rule claims follow (learners.standings: paid, free or complimentary, and not cancelled or
    refunded in full), lose their valid certificates."""
    from confops.cme.learners import standings
    from confops.registration.tables import Attendee

    attendees = await Attendee.select(Attendee.id, Attendee.order, Attendee.status).where(
        Attendee.id.is_in(attendee_ids or [0]))
    why = await standings(attendees)
    return await revoke_for_registrations([a["id"] for a in attendees if why[a["id"]]], reason)


@provides("event_cancelled")
async def on_event_cancelled(*, event_id, **_):
    """A cancelled event awards no credit: its claims are closed (learners.blockers) and every
    certificate issued for it is revoked (reason, audit log, e-mail)."""
    from confops.cme.certificates import revoke_record
    from confops.cme.tables import Certificate, CertificateStatus

    rows = await Certificate.select().where((Certificate.event == event_id)
                                            & (Certificate.status == CertificateStatus.valid.value))
    for row in rows:
        await revoke_record(row, EVENT_CANCELLED, actor_id=None)


EVENT_CANCELLED = "Event cancelled by the organizers."


async def revoke_for_registrations(attendee_ids: list[int], reason: str) -> int:
    """A registration cancelled or refunded after its certificate was issued no longer carries
    credit: its valid learner certificates are revoked (reason, audit log, e-mail)."""
    from confops.cme.certificates import revoke_record
    from confops.cme.tables import Certificate, CertificateStatus

    rows = await Certificate.select().where(Certificate.attendee.is_in(attendee_ids or [0])
                                            & (Certificate.kind == "learner")
                                            & (Certificate.status == CertificateStatus.valid.value))
    return sum([await revoke_record(row, reason, actor_id=None) for row in rows])


@provides("event_copied")
async def copy_designation(*, source_id: int, event_id: int, days: int, sessions: dict, **_) -> None:
    from confops.cme.designation import copy_designation as copy

    await copy(source_id, event_id, days, sessions)


@provides("event_timezone_changed")
async def keep_claim_deadline_wall_time(*, event_id: int, old_tz: str, new_tz: str, **_) -> None:
    from confops.cme.tables import CmeActivity

    activity = await CmeActivity.select().where(CmeActivity.event == event_id).first()
    if activity and activity["claim_deadline"]:
        await CmeActivity.update({CmeActivity.claim_deadline: clock.same_wall_time_in(
            activity["claim_deadline"], old_tz, new_tz)}).where(CmeActivity.id == activity["id"])


@provides("dashboard_panels")
async def claims_progress(*, event_id, **_) -> list[Panel]:
    """Three counts in SQL over the evidence and the claims (cme/learner_list.py), not every
    learner's credit worked out to draw three bars."""
    from confops.cme.learner_list import counts
    from confops.events.tables import Event

    event = await Event.select().where(Event.id == event_id).first()
    if not event or not event["cme_enabled"]:
        return []
    n = await counts(event)
    return [Panel(key="cme_claims", title="CME claims", kind="bar",
                  data=[("Confirmed", n["registered"]), ("Attended", n["attended"]), ("Claimed", n["claimed"])],
                  note=f"{n['claimed']} of {n['attended']} confirmed learners with attendance recorded have claimed "
                       "credit." + (f" {n['held']} more held for unpaid orders can claim once paid." if n["held"] else ""))]


async def _claims_source(event_id: int):
    from confops.cme.reports import CLAIMS_HEADERS, claims_rows

    return CLAIMS_HEADERS, claims_rows(event_id)


@provides("export_sources")
async def cme_claims_export(*, event_id, **_) -> list[ExportSource]:
    return [ExportSource(key="cme_claims", title="CME claims", build=_claims_source)]


# What a learner's CME record needs of the registration: who they are, and how to reach them.
# Dietary and accessibility needs, pronouns, institution, city and the event's questions can go.
KEPT_FIELDS = ("first_name", "last_name", "credentials", "email")


@provides("privacy_keep")
async def keep_participation(*, email: str, **_) -> list[Keep]:
    from confops.cme.tables import AttendanceMark, Certificate, CmeClaim
    from confops.registration.tables import Attendee

    email = email.lower()
    # Six years from the end of the activity (not from a claim), for everyone with evidence of
    # attendance, claimed or not: the evidence stays linked to the person's name.
    since = clock.now() - timedelta(days=round(365.25 * KEEP_YEARS))
    ids = [a["id"] for a in await Attendee.select(Attendee.id).where(Attendee.email == email)]
    if await Certificate.exists().where((Certificate.email == email) & (Certificate.event.ends_at >= since)) or (
            ids and await CmeClaim.exists().where(CmeClaim.attendee.is_in(ids) & (CmeClaim.event.ends_at >= since))
    ) or (ids and await AttendanceMark.exists().where(
            AttendanceMark.attendee.is_in(ids) & (AttendanceMark.present == True)  # noqa: E712
            & (AttendanceMark.event.ends_at >= since))):
        return [Keep(f"CME participation records (attendance, claims and certificates) are kept for {KEEP_YEARS} "
                     "years after the activity, as the accreditor requires, so that credit stays verifiable: name, "
                     "credentials, e-mail and the attendance evidence stay.", attendee_fields=KEPT_FIELDS)]
    return []


def kept_until(event: dict):
    """The last day an activity's participation records are kept (six years after it ended)."""
    end = clock.local(event["ends_at"], event["timezone"]).date()
    try:
        return end.replace(year=end.year + KEEP_YEARS)
    except ValueError:  # 29 February
        return end.replace(year=end.year + KEEP_YEARS, day=28)


@provides("personal_data")
async def cme_personal_data(*, user_id, email, **_) -> dict[str, list[dict]]:
    from confops.cme import certificates, profile
    from confops.cme.rules import format_credit
    from confops.cme.tables import AttendanceMark, CmeClaim
    from confops.registration.tables import Attendee

    ids = [a["id"] for a in await Attendee.select(Attendee.id).where(Attendee.email == (email or "").lower())]
    marks = await AttendanceMark.select(AttendanceMark.event.title, AttendanceMark.session.code, AttendanceMark.kind,
                                        AttendanceMark.present, AttendanceMark.at, AttendanceMark.reason).where(
        AttendanceMark.attendee.is_in(ids or [0]) & (AttendanceMark.kind != evidence.TRANSFERRED))
    claims = await CmeClaim.select(CmeClaim.event.title, CmeClaim.credit_type, CmeClaim.quarters,
                                   CmeClaim.attested_at).where(CmeClaim.attendee.is_in(ids or [0]))
    prof = await profile.get(user_id) if user_id else None
    out = {
        "CME attendance evidence": [{"event": m["event.title"], "session": m["session.code"] or "(entry)",
                                     "kind": m["kind"], "present": m["present"], "at": m["at"].isoformat(),
                                     "reason": m["reason"]} for m in marks],
        "CME claims": [{"event": c["event.title"], "credit type": c["credit_type"],
                        "credits": format_credit(c["quarters"]), "attested": c["attested_at"].isoformat()}
                       for c in claims],
        "CME certificates": [{"serial": c["serial"], "activity": c["c"]["activity"], "status": c["status"],
                              "issued": c["issued_at"].isoformat()} for c in await certificates.mine(email)],
    }
    if prof and prof.get("id"):
        out["CME profile"] = [{"board id": prof["board_id"], "licence": prof["licence_id"],
                               "birth month": prof["birth_month"], "birth day": prof["birth_day"],
                               "PARS consent": prof["pars_consent"]}]
    return out

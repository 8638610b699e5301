"""A learner's claim: up to the eligible credit in 0.25 steps, attested, before the deadline,
after the evaluation when the event requires one, for sessions that have ended, by a settled
registration, never over a revoked certificate; it issues (or re-issues) the certificate."""

from __future__ import annotations

import json

from confops.cme import certificates, evaluations, evidence, learners
from confops.cme.designation import activity_of
from confops.cme.kinds import Evidence
from confops.cme.rules import claim_problems, parse_credit
from confops.cme.tables import CmeClaim
from confops.core import clock
from confops.core.auth import Principal
from confops.core.errors import FieldError, collect
from confops.db import transaction


async def view(principal: Principal, attendee_id: int) -> dict:
    attendee, event = await learners.own_attendee(principal, attendee_id)
    st = await learners.state(attendee, event)
    st["questions"] = [] if st["evaluated"] else await evaluations.questions_for(event["id"], st["attended"])
    st["deadline_passed"] = bool(st["activity"]["claim_deadline"] and clock.now() > st["activity"]["claim_deadline"])
    st["certificates"] = [c for c in await certificates.mine(attendee["email"]) if c["event"] == event["id"]]
    return st


async def attest_sessions(principal: Principal, attendee_id: int, session_ids: list[int]) -> None:
    attendee, event = await learners.own_attendee(principal, attendee_id)
    activity = await activity_of(event)
    if activity["evidence"] != Evidence.attestation.value:
        collect([FieldError("sessions", "This event records attendance by scans, not by attestation.")])
    await evidence.attest(attendee_id, event["id"], session_ids)


async def evaluate(principal: Principal, attendee_id: int, form: dict) -> None:
    attendee, event = await learners.own_attendee(principal, attendee_id)
    st = await learners.state(attendee, event)
    await evaluations.submit(attendee, event["id"], st["attended"], form)


async def claim(principal: Principal, attendee_id: int, *, credit: str, credit_type: str, attested: bool) -> dict:
    attendee, event = await learners.own_attendee(principal, attendee_id)
    st = await learners.state(attendee, event)
    problems: list[FieldError] = []
    if credit_type not in st["types"]:
        problems.append(FieldError("credit_type", "Choose one of the credit types offered to you."))
        credit_type = st["types"][-1]
    try:
        quarters = parse_credit(credit)
    except ValueError as exc:
        problems.append(FieldError("credit", str(exc)))
        quarters = None
    eligible = st["eligible"][credit_type]
    if st["blockers"]:
        problems.append(FieldError("claim", " ".join(st["blockers"])))
    if quarters is not None and not st["blockers"]:
        problems += claim_problems(quarters, eligible, attested=attested, deadline=st["activity"]["claim_deadline"],
                                   now=clock.now(), evaluation_required=st["activity"]["evaluation_required"],
                                   evaluated=st["evaluated"])
    collect(problems)
    values = {"credit_type": credit_type, "quarters": quarters, "eligible_quarters": eligible,
              "sessions": json.dumps(sorted(st["credited"])), "attested_at": clock.now(), "updated_at": clock.now()}
    async with transaction():  # the claim and its certificate stand or fall together
        if st["claim"]:
            await CmeClaim.update(values).where(CmeClaim.attendee == attendee_id)
        else:
            await CmeClaim(attendee=attendee_id, event=event["id"], **values).save()
        return await certificates.issue_for_claim(attendee_id)

"""Leader-training records across events, and progress toward the society's credentialing.

Records follow a person by e-mail (leaders need no registration to lead). Groups led are
recorded when a leader marks a roster; intensives and supervision sessions are entered by
staff. The requirements are the organizer's `CredentialingRules`, the ABS's when none are set.
"""

from __future__ import annotations

from datetime import date

from confops.accounts.tables import Organizer
from confops.core import clock
from confops.core.auth import Principal, Role
from confops.core.errors import FieldError, Invalid, NotFound, NotYours
from confops.db import upsert
from confops.events.tables import Event
from confops.groups import credentialing as cred
from confops.groups.kinds import TrainingKind
from confops.groups.tables import CredentialingRules, LeaderTraining

STAFF_ROLES = (Role.registrar,)


async def rules_for(organizer_id: int) -> cred.Requirements:
    row = await CredentialingRules.select().where(CredentialingRules.organizer == organizer_id).first()
    if row is None:
        return cred.ABS
    return cred.Requirements(row["intensives"], row["final_evaluative"], row["leading_months"],
                             row["leading_per_month"], row["supervision_per_year"])


async def set_rules(organizer_id: int, rules: cred.Requirements) -> None:
    values = {CredentialingRules.intensives: rules.intensives,
              CredentialingRules.final_evaluative: rules.final_evaluative,
              CredentialingRules.leading_months: rules.leading_months,
              CredentialingRules.leading_per_month: rules.leading_per_month,
              CredentialingRules.supervision_per_year: rules.supervision_per_year}
    # two saves at once both land on the one row (organizer is unique)
    await upsert(CredentialingRules(organizer=organizer_id, **{c._meta.name: v for c, v in values.items()}),
                 CredentialingRules.organizer, values)


async def records(organizer_id: int, email: str) -> list[dict]:
    return await LeaderTraining.select().where(
        (LeaderTraining.organizer == organizer_id) & (LeaderTraining.email == email.strip().lower())).order_by(
        LeaderTraining.held_on)


def _progress(rows: list[dict], rules: cred.Requirements, as_of: date) -> cred.Progress:
    intensives = [cred.IntensiveAttended(r["held_on"], r["evaluative"], r["title"]) for r in rows
                  if r["kind"] == TrainingKind.intensive.value]
    led = [cred.GroupLed(r["held_on"], r["title"]) for r in rows if r["kind"] == TrainingKind.led.value]
    sup = [cred.SupervisionSession(r["held_on"], r["title"]) for r in rows
           if r["kind"] == TrainingKind.supervision.value]
    return cred.progress(intensives, led, sup, as_of, rules)


async def my_training(email: str) -> list[dict]:
    """Per organizer where the person has records: the records and the progress on each requirement."""
    email = (email or "").strip().lower()
    orgs = sorted({r["organizer"] for r in await LeaderTraining.select(LeaderTraining.organizer).where(
        LeaderTraining.email == email)})
    today = clock.now().date()
    out = []
    for org in orgs:
        organizer = await Organizer.select(Organizer.id, Organizer.name).where(Organizer.id == org).first()
        rows = await records(org, email)
        out.append({"organizer": organizer, "records": rows,
                    "progress": _progress(rows, await rules_for(org), today)})
    return out


async def staff_organizer(principal: Principal | None) -> dict:
    """The organizer a registrar/admin works for (the first one, for staff of several)."""
    if principal is None:
        raise NotYours("Please sign in.")
    for org in principal.staff_organizers():
        if principal.has(org, *STAFF_ROLES):
            return await Organizer.select(Organizer.id, Organizer.name, Organizer.slug).where(
                Organizer.id == org).first()
    raise NotYours("Leader training records are kept by registrars and admins.")


async def overview(organizer_id: int) -> list[dict]:
    """Everyone with a record at this organizer, with their progress, met first."""
    rows = await LeaderTraining.select().where(LeaderTraining.organizer == organizer_id).order_by(
        LeaderTraining.held_on)
    rules = await rules_for(organizer_id)
    today = clock.now().date()
    people: dict[str, list[dict]] = {}
    for r in rows:
        people.setdefault(r["email"], []).append(r)
    out = []
    for email, recs in people.items():
        progress = _progress(recs, rules, today)
        out.append({"email": email, "name": recs[-1]["name"], "records": recs, "progress": progress,
                    "counts": {k.value: sum(1 for r in recs if r["kind"] == k.value) for k in TrainingKind}})
    out.sort(key=lambda p: (not p["progress"].met, p["name"].lower()))
    return out


async def add_record(organizer_id: int, *, email: str, name: str, kind: str, held_on: str, title: str = "",
                     evaluative: bool = False, event_slug: str = "", recorded_by: str = "") -> int:
    errors = []
    email = email.strip().lower()
    if "@" not in email:
        errors.append(FieldError("email", "Give the person's e-mail address."))
    if not name.strip():
        errors.append(FieldError("name", "Give the person's name."))
    if kind not in TrainingKind.__members__:
        errors.append(FieldError("kind", "Choose intensive, group led or supervision."))
    try:
        day = date.fromisoformat(held_on)
    except ValueError:
        errors.append(FieldError("held_on", "Give the date as YYYY-MM-DD."))
        day = None
    event_id = None
    if event_slug:
        event = await Event.select(Event.id, Event.organizer).where(Event.slug == event_slug).first()
        if event is None or event["organizer"] != organizer_id:
            errors.append(FieldError("event", "There is no such event of this society."))
        else:
            event_id = event["id"]
    if errors:
        raise Invalid("Some fields need attention.", errors=errors)
    row = LeaderTraining(organizer=organizer_id, email=email, name=name.strip(), kind=kind, held_on=day,
                         evaluative=bool(evaluative and kind == TrainingKind.intensive.value), title=title.strip()[:250],
                         event=event_id, session=None, recorded_by=recorded_by)
    await row.save()
    return row.id


async def delete_record(organizer_id: int, record_id: int) -> None:
    done = await LeaderTraining.delete().where(
        (LeaderTraining.id == record_id) & (LeaderTraining.organizer == organizer_id)).returning(LeaderTraining.id)
    if not done:
        raise NotFound("There is no such record.")

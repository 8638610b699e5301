"""Staff edit any attendee's details and answers, after the attendees' deadline too (audited)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from confops.core.auth import STAFF
from confops.core.errors import Conflict, Invalid
from confops.registration import staff
from confops.registration.catalog import load_catalog
from confops.registration.intake import PRONOUN_CHOICES
from confops.web.render import page

FIELDS = [("first_name", "First name"), ("last_name", "Last name"), ("badge_name", "Name on badge"),
          ("credentials", "Credentials"), ("pronouns", "Pronouns"), ("institution", "Institution"),
          ("city_region", "City, state"), ("profession", "Profession"), ("dietary", "Dietary needs"),
          ("accessibility", "Accessibility needs")]


class StaffAnswers(Controller):
    include_in_schema = False
    opt = {"access": STAFF}
    path = "/staff/events/{slug:str}/registrations/attendees/{attendee_id:int}"

    async def _show(self, request: Request, slug: str, attendee_id: int, *, values=None, errors=None,
                    status: int = 200, notice: str = "") -> Template:
        event = await staff.event_for_staff(slug, request.state.principal)
        person = await staff.attendee_for_staff(event["id"], attendee_id)
        catalog = await load_catalog(slug) if event else None
        v = values or {**{f: person[f] for f, _ in FIELDS}, **{f"answer_{k}": a for k, a in person["answers"].items()}}
        return page(request, "staff/attendee_answers.html", status_code=status, event=event, person=person,
                    fields=FIELDS, questions=catalog.questions, v=v, errors=errors or {}, notice=notice,
                    pronouns=PRONOUN_CHOICES)

    @get("/")
    async def show(self, request: Request, slug: FromPath[str], attendee_id: FromPath[int]) -> Template:
        return await self._show(request, slug, attendee_id)

    @post("/")
    async def save(self, request: Request, slug: FromPath[str], attendee_id: FromPath[int]) -> Template | Redirect:
        event = await staff.event_for_staff(slug, request.state.principal)
        form = {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}
        fields = {f: form[f] for f, _ in FIELDS if f in form}
        answers = {k[len("answer_"):]: v for k, v in form.items() if k.startswith("answer_")}
        try:
            await staff.staff_edit_answers(event["id"], attendee_id, fields, answers,
                                           actor_id=request.state.principal.user_id)
        except (Invalid, Conflict) as exc:
            errors = {k.replace("answers.", "answer_"): m for k, m in exc.field_messages().items()}
            return await self._show(request, slug, attendee_id, values=form, status=exc.status_code,
                                    errors=errors or {"form": exc.detail})
        return await self._show(request, slug, attendee_id, notice="Saved; the change is in the audit log.")

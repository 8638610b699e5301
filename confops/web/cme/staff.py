"""The CME coordinator's pages: designation, learners and corrections, evaluations with charts,
certificates (search, revoke), reminders and the PARS / claims exports."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Stream, Template

from confops.backoffice.spreadsheets import csv_stream
from confops.cme import (
    certificates,
    designation,
    evaluations,
    evidence,
    learner_list,
    pars,
    reports,
    staff_overview,
)
from confops.cme.access import staff_event
from confops.cme.credit_types import CREDIT_TYPES
from confops.cme.designation import FORMATS
from confops.cme.evaluations import KINDS
from confops.cme.kinds import Evidence
from confops.cme.svg_chart import bar_chart
from confops.core import csv_export
from confops.core.auth import STAFF, Role
from confops.core.errors import Invalid
from confops.core.paging import page_number
from confops.web.render import page

COORDINATOR = {"access": STAFF, "roles": [Role.cme_coordinator]}


def _csv(headers: list[str], rows: list[list], name: str) -> Response:
    return Response(csv_export.to_csv(headers, rows), media_type="text/csv",
                    headers={"content-disposition": f'attachment; filename="{name}"'})


class StaffCme(Controller):
    path = "/staff/events/{slug:str}/cme"
    include_in_schema = False
    opt = COORDINATOR

    async def _overview(self, request: Request, slug: str, *, errors=None, status_code=200, notice="",
                        form: dict | None = None) -> Template:
        data = await designation.overview(request.state.principal, slug)
        rep = await staff_overview.overview(request.state.principal, slug)
        reporting = await pars.reporting_of(data["event"], data["activity"])
        return page(request, "cme/staff.html", d=data, r=rep, types=CREDIT_TYPES, formats=FORMATS,
                    evidence_kinds=[e.value for e in Evidence], errors=errors or {}, notice=notice,
                    slug=slug, status_code=status_code, rp=reporting, pf=form, pars=pars)

    @get("/", opt={"access": STAFF, "roles": [Role.cme_coordinator, Role.registrar]})
    async def overview(self, request: Request, slug: FromPath[str], sent: FromQuery[int | None] = None) -> Template:
        return await self._overview(request, slug, notice=f"{sent} reminder(s) queued." if sent is not None else "")

    @post("/designation")
    async def save_designation(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            await designation.save_activity(request.state.principal, slug, form)
        except Invalid as exc:
            return await self._overview(request, slug, errors=exc.field_messages(), status_code=422)
        return Redirect(f"/staff/events/{slug}/cme", status_code=303)

    @post("/sessions/{session_id:int}")
    async def save_session(self, request: Request, slug: FromPath[str], session_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        try:
            await designation.save_session(request.state.principal, slug, session_id, str(form.get("credit", "")),
                                           [str(t) for t in form.getall("types", [])], str(form.get("group", "")),
                                           correction=str(form.get("correction_reason", "")))
        except Invalid as exc:
            errors = {f"s{session_id}_{k}": v for k, v in exc.field_messages().items()}
            return await self._overview(request, slug, errors=errors, status_code=422)
        return Redirect(f"/staff/events/{slug}/cme#s{session_id}", status_code=303)

    @post("/reminders")
    async def remind(self, request: Request, slug: FromPath[str]) -> Redirect:
        sent = await reports.remind_unclaimed(request.state.principal, slug, request.app.state.settings.base_url)
        return Redirect(f"/staff/events/{slug}/cme?sent={sent}", status_code=303)

    async def _learners(self, request: Request, slug: str, *, errors=None, status_code=200) -> Template:
        event = await staff_event(request.state.principal, slug)
        params = request.query_params
        found = await learner_list.learner_page(event, page=page_number(params.get("page")),
                                                show=params.get("show", ""), q=params.get("q", ""))
        sessions = [s for s in await designation.session_credits(event["id"]) if s.quarters > 0]
        titles = {s["id"]: s for s in await reports.learners.sessions_of(event["id"])}
        return page(request, "cme/learners.html", event=event, rows=found.rows, found=found, slug=slug,
                    errors=errors or {}, sessions=[titles[s.id] for s in sessions], status_code=status_code,
                    counts=await learner_list.counts(event), filters=learner_list.FILTERS)

    @get("/learners")
    async def learner_list(self, request: Request, slug: FromPath[str]) -> Template:
        return await self._learners(request, slug)

    @post("/learners/{attendee_id:int}/attendance")
    async def correct(self, request: Request, slug: FromPath[str], attendee_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        session_id = int(form.get("session") or 0) if str(form.get("session", "")).isdigit() else 0
        try:
            await evidence.correct(request.state.principal, slug, attendee_id, session_id,
                                   form.get("present") == "yes", str(form.get("reason", "")))
        except Invalid as exc:
            return await self._learners(request, slug, errors={attendee_id: exc.field_messages()}, status_code=422)
        return Redirect(f"/staff/events/{slug}/cme/learners#a{attendee_id}", status_code=303)

    async def _evaluations(self, request: Request, slug: str, *, errors=None, status_code=200) -> Template:
        event = await staff_event(request.state.principal, slug)
        summary = await evaluations.summary(event["id"])
        for q in summary:
            q["chart"] = bar_chart(q["counts"], title=q["question"]["prompt"]) if q["counts"] else ""
        sessions = await reports.learners.sessions_of(event["id"])
        return page(request, "cme/evaluations.html", event=event, summary=summary, sessions=sessions, kinds=KINDS,
                    slug=slug, errors=errors or {}, status_code=status_code)

    @get("/evaluations")
    async def evaluation_summary(self, request: Request, slug: FromPath[str]) -> Template:
        return await self._evaluations(request, slug)

    @post("/questions")
    async def add_question(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        form = await request.form()
        session = str(form.get("session", ""))
        try:
            await evaluations.add_question(request.state.principal, slug, prompt=str(form.get("prompt", "")),
                                           kind=str(form.get("kind", "")), choices=str(form.get("choices", "")),
                                           required=bool(form.get("required")),
                                           session_id=int(session) if session.isdigit() else None)
        except Invalid as exc:
            return await self._evaluations(request, slug, errors=exc.field_messages(), status_code=422)
        return Redirect(f"/staff/events/{slug}/cme/evaluations", status_code=303)

    @get("/certificates")
    async def certificate_list(self, request: Request, slug: FromPath[str], q: FromQuery[str] = "") -> Template:
        event = await staff_event(request.state.principal, slug)
        found = await certificates.of_event(event["id"], q, page_number(request.query_params.get("page")))
        return page(request, "cme/certificates.html", event=event, slug=slug, q=q, certs=found.rows, found=found)

    @post("/certificates/{certificate_id:int}/revoke")
    async def revoke(self, request: Request, slug: FromPath[str], certificate_id: FromPath[int]) -> Redirect:
        form = await request.form()
        await certificates.revoke(request.state.principal, slug, certificate_id, str(form.get("reason", "")))
        return Redirect(f"/staff/events/{slug}/cme/certificates", status_code=303)

    @post("/certificates/{certificate_id:int}/reinstate")
    async def reinstate(self, request: Request, slug: FromPath[str], certificate_id: FromPath[int]) -> Redirect:
        form = await request.form()
        await certificates.reinstate(request.state.principal, slug, certificate_id, str(form.get("reason", "")))
        return Redirect(f"/staff/events/{slug}/cme/certificates", status_code=303)

    @post("/reporting")
    async def save_reporting(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            await pars.save_reporting(request.state.principal, slug, form)
        except Invalid as exc:
            return await self._overview(request, slug, errors=exc.field_messages(), status_code=422, form=form)
        return Redirect(f"/staff/events/{slug}/cme#pars", status_code=303)

    @get("/pars.csv")
    async def pars(self, request: Request, slug: FromPath[str]) -> Response:
        text = await pars.learner_csv(request.state.principal, slug)
        return Response(text, media_type="text/csv",
                        headers={"content-disposition": f'attachment; filename="pars-learners-{slug}.csv"'})

    @get("/pars-activity.csv")
    async def pars_activity(self, request: Request, slug: FromPath[str]) -> Response:
        text = await pars.activity_csv(request.state.principal, slug)
        return Response(text, media_type="text/csv",
                        headers={"content-disposition": f'attachment; filename="pars-activity-{slug}.csv"'})

    @get("/claims.csv")
    async def claims_csv(self, request: Request, slug: FromPath[str]) -> Response:
        event = await staff_event(request.state.principal, slug)
        return Stream(csv_stream(reports.CLAIMS_HEADERS, reports.claims_rows(event["id"]), bom=False),
                      media_type="text/csv", headers={"content-disposition": f'attachment; filename="cme-claims-{slug}.csv"'})

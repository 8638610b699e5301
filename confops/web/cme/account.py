"""The learner's CME pages: events with credit, the claim page (evidence, evaluation, claim),
certificates, the transcript, and the PARS profile."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from confops.cme import certificate_pdf, certificates, claims, learners, profile
from confops.cme.batch import verify_url
from confops.cme.credit_types import CREDIT_TYPES
from confops.core import clock
from confops.core.auth import SIGNED_IN
from confops.core.errors import Invalid
from confops.documents.certificates import render_transcript
from confops.web.render import page


def _pdf(data: bytes, name: str) -> Response:
    return Response(data, media_type="application/pdf",
                    headers={"content-disposition": f'inline; filename="{name}"', "cache-control": "private"})


class LearnerCme(Controller):
    path = "/account/cme"
    include_in_schema = False
    opt = {"access": SIGNED_IN}

    async def _home(self, request: Request, *, errors=None, status_code=200, saved=False) -> Template:
        principal = request.state.principal
        return page(request, "cme/account.html", events=await learners.my_events(principal.email),
                    certs=await certificates.mine(principal.email), profile=await profile.get(principal.user_id),
                    errors=errors or {}, saved=saved, status_code=status_code)

    @get("/")
    async def home(self, request: Request) -> Template:
        return await self._home(request, saved=request.query_params.get("saved") == "1")

    @post("/profile")
    async def save_profile(self, request: Request) -> Template | Redirect:
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            await profile.save(request.state.principal, form)
        except Invalid as exc:
            return await self._home(request, errors=exc.field_messages(), status_code=422)
        return Redirect("/account/cme?saved=1", status_code=303)

    async def _claim_page(self, request: Request, attendee_id: int, *, errors=None, values=None,
                          status_code=200) -> Template:
        view = await claims.view(request.state.principal, attendee_id)
        return page(request, "cme/claim.html", v=view, types=CREDIT_TYPES, errors=errors or {},
                    values=values or {}, status_code=status_code)

    @get("/{attendee_id:int}")
    async def claim_page(self, request: Request, attendee_id: FromPath[int]) -> Template:
        return await self._claim_page(request, attendee_id)

    @post("/{attendee_id:int}/attendance")
    async def attest(self, request: Request, attendee_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        ids = [int(v) for v in form.getall("sessions", []) if str(v).isdigit()]
        try:
            await claims.attest_sessions(request.state.principal, attendee_id, ids)
        except Invalid as exc:
            return await self._claim_page(request, attendee_id, errors=exc.field_messages(), status_code=422)
        return Redirect(f"/account/cme/{attendee_id}", status_code=303)

    @post("/{attendee_id:int}/evaluation")
    async def evaluate(self, request: Request, attendee_id: FromPath[int]) -> Template | Redirect:
        form = {k: str(v) for k, v in (await request.form()).items()}
        try:
            await claims.evaluate(request.state.principal, attendee_id, form)
        except Invalid as exc:
            return await self._claim_page(request, attendee_id, errors=exc.field_messages(), values=form,
                                          status_code=422)
        return Redirect(f"/account/cme/{attendee_id}#claim", status_code=303)

    @post("/{attendee_id:int}/claim")
    async def claim(self, request: Request, attendee_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        values = {"credit": str(form.get("credit", "")), "credit_type": str(form.get("credit_type", ""))}
        try:
            await claims.claim(request.state.principal, attendee_id, attested=bool(form.get("attest")), **values)
        except Invalid as exc:
            return await self._claim_page(request, attendee_id, errors=exc.field_messages(), values=values,
                                          status_code=422)
        return Redirect(f"/account/cme/{attendee_id}?issued=1", status_code=303)

    @get("/certificates/{serial:str}")
    async def certificate_pdf(self, request: Request, serial: FromPath[str]) -> Response:
        row = await certificates.own(request.state.principal.email, serial)
        data = await certificate_pdf.signed_certificate(
            row, certificates.contents(row), verify_url(request.app.state.settings.base_url, row["serial"]))
        return _pdf(data, f"{row['serial']}.pdf")

    @get("/transcript")
    async def transcript(self, request: Request) -> Template:
        return page(request, "cme/transcript.html", certs=await certificates.mine(request.state.principal.email))

    @get("/transcript.pdf")
    async def transcript_pdf(self, request: Request) -> Response:
        p = request.state.principal
        data = render_transcript(p.display_name, p.email, await certificates.mine(p.email),
                                 clock.now().date().isoformat())
        return _pdf(data, "cme-transcript.pdf")

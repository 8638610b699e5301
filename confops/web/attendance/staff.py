"""Staff record attendance and issue certificates of attendance at
/staff/events/<slug>/attendance; learners download theirs at /account/attendance.
Rules live in attendance.service."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Response, Template

from confops.attendance import service
from confops.attendance.certificate_pdf import signed_attendance_certificate
from confops.core.auth import SIGNED_IN, STAFF
from confops.core.errors import Conflict, Invalid, NotFound
from confops.web.render import page

UPLOAD_LIMIT = 2_200_000


class AttendancePages(Controller):
    path = "/staff/events/{slug:str}/attendance"
    include_in_schema = False
    opt = {"access": STAFF}

    async def _page(self, request: Request, slug: str, *, errors=None, status_code=200, notice="") -> Template:
        data = await service.staff_view(request.state.principal, slug)
        return page(request, "staff/attendance.html", **data, errors=errors or {}, notice=notice,
                    status_code=status_code)

    @get("/")
    async def show(self, request: Request, slug: FromPath[str], notice: FromQuery[str | None] = None) -> Template:
        return await self._page(request, slug, notice=(notice or "")[:300])

    async def _do(self, request: Request, slug: str, action, done) -> Template | Redirect:
        try:
            result = await action()
        except (Invalid, Conflict) as exc:
            return await self._page(request, slug, errors=exc.field_messages() or {"form": exc.detail},
                                    status_code=exc.status_code)
        text = done(result) if callable(done) else done
        return Redirect(f"/staff/events/{slug}/attendance?notice={text.replace(' ', '+')}", status_code=303)

    @post("/rule")
    async def rule(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        form = {k: str(v) for k, v in (await request.form()).items()}
        return await self._do(request, slug, lambda: service.save_rule(request.state.principal, slug, form),
                              "Attendance settings saved.")

    @post("/sessions/{session_id:int}/upload", request_max_body_size=UPLOAD_LIMIT)
    async def upload(self, request: Request, slug: FromPath[str], session_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        file = form.get("file")
        data = b"" if file is None or isinstance(file, str) else await file.read()

        async def act():
            if not data:
                raise Invalid("Choose the attendance CSV file.", field="file")
            return await service.upload_list(request.state.principal, slug, session_id, data)

        return await self._do(request, slug, act, lambda r: (f"{r['matched']} matched, {r['unmatched']} to match "
                                                             "by hand below."))

    @post("/uploads/{upload_id:int}/rows/{index:int}")
    async def match(self, request: Request, slug: FromPath[str], upload_id: FromPath[int],
                    index: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        raw = str(form.get("attendee", ""))
        return await self._do(request, slug, lambda: service.match_by_hand(
            request.state.principal, slug, upload_id, index, int(raw) if raw.isdigit() else 0,
            str(form.get("row", ""))), "Row matched.")

    @post("/certificates")
    async def certificates(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        return await self._do(request, slug, lambda: service.issue_certificates(request.state.principal, slug),
                              lambda n: f"{n} certificates issued.")


    @post("/certificates/{certificate_id:int}/revoke")
    async def revoke(self, request: Request, slug: FromPath[str], certificate_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        return await self._do(request, slug, lambda: service.revoke_certificate(
            request.state.principal, slug, certificate_id, str(form.get("reason", ""))),
            "Certificate revoked; the learner was told by e-mail.")


class MyAttendance(Controller):
    include_in_schema = False
    opt = {"access": SIGNED_IN}

    @get("/account/attendance")
    async def index(self, request: Request) -> Template:
        email = request.state.principal.email
        return page(request, "account/attendance.html", rows=await service.mine(email),
                    progress=await service.my_progress(email))

    @get("/account/attendance/{serial:str}/certificate.pdf")
    async def pdf(self, request: Request, serial: FromPath[str]) -> Response:
        c = await service.certificate_content(serial)
        if c["email"].lower() != request.state.principal.email.lower() or c["revoked_at"]:
            raise NotFound("There is no such certificate in your account.")
        body = await signed_attendance_certificate(c, request.app.state.settings.base_url)
        return Response(body, media_type="application/pdf", headers={
            "Content-Disposition": f'attachment; filename="attendance-{c["serial"]}.pdf"'})

"""The speaker portal: a signed-in speaker's profile, sessions, materials and disclosure.

Every handler goes through the speakers services, which check that the profile or session
belongs to the caller (another speaker's ids answer 404)."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from confops.core.auth import SIGNED_IN
from confops.core.errors import Invalid
from confops.speakers import disclosures, invitations, portal, uploads
from confops.web.render import page

UPLOAD_LIMIT = uploads.MAX_MATERIAL_BYTES + 1024 * 1024
RELATIONSHIP_ROWS = 5


async def _file_bytes(form, name: str) -> tuple[bytes, str]:
    upload = form.get(name)
    if upload is None or isinstance(upload, str):
        return b"", ""
    return await upload.read(), upload.filename or ""


class SpeakerPortal(Controller):
    path = "/speaker"
    include_in_schema = False
    opt = {"access": SIGNED_IN}

    async def _home(self, request: Request, *, errors=None, status_code=200, notice="") -> Template:
        principal = request.state.principal
        speaker = await portal.profile(principal)
        view = (await disclosures.current([speaker["id"]]))[speaker["id"]]
        return page(request, "speaker/home.html", speaker=speaker, sessions=await portal.my_sessions(principal),
                    disclosure=view, errors=errors or {}, notice=notice, status_code=status_code)

    @get("/")
    async def home(self, request: Request) -> Template:
        return await self._home(request)

    @post("/profile")
    async def save_profile(self, request: Request) -> Template | Redirect:
        form = await request.form()
        try:
            await portal.update_profile(request.state.principal, {k: str(form.get(k, "")) for k in portal.PROFILE_LIMITS})
        except Invalid as exc:
            return await self._home(request, errors=exc.field_messages(), status_code=422)
        return Redirect("/speaker?saved=profile", status_code=303)

    @post("/photo", request_max_body_size=uploads.MAX_PHOTO_BYTES + 1024 * 1024)
    async def save_photo(self, request: Request) -> Template | Redirect:
        form = await request.form()
        data, _name = await _file_bytes(form, "photo")
        try:
            await portal.update_photo(request.state.principal, data, request.app.state.storage)
        except Invalid as exc:
            return await self._home(request, errors=exc.field_messages(), status_code=422)
        return Redirect("/speaker?saved=photo", status_code=303)

    async def _session(self, request: Request, session_id: int, *, errors=None, values=None, status_code=200,
                       notice="") -> Template:
        principal = request.state.principal
        mine = await portal.my_session(principal, session_id)
        return page(request, "speaker/session.html", s=mine, values=values or {k: getattr(mine, k) for k in portal.EDITABLE},
                    proposals=await portal.my_proposals(principal, session_id),
                    materials=await portal.my_materials(principal, session_id),
                    errors=errors or {}, notice=notice, status_code=status_code)

    @get("/sessions/{session_id:int}")
    async def session(self, request: Request, session_id: FromPath[int], saved: FromQuery[str | None] = None) -> Template:
        notice = {"applied": "Your changes are saved.",
                  "proposed": "The edit deadline has passed: your changes were sent to staff as a proposal.",
                  "unchanged": "Nothing changed.", "material": "File uploaded."}.get(saved or "", "")
        return await self._session(request, session_id, notice=notice)

    @post("/sessions/{session_id:int}")
    async def edit(self, request: Request, session_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in portal.EDITABLE}
        try:
            outcome = await portal.edit_session(request.state.principal, session_id, values)
        except Invalid as exc:
            return await self._session(request, session_id, errors=exc.field_messages(), values=values, status_code=422)
        return Redirect(f"/speaker/sessions/{session_id}?saved={outcome}", status_code=303)

    @post("/sessions/{session_id:int}/answer")
    async def answer(self, request: Request, session_id: FromPath[int]) -> Redirect:
        form = await request.form()
        await invitations.respond(request.state.principal, session_id, str(form.get("answer", "")))
        return Redirect("/speaker", status_code=303)

    @post("/sessions/{session_id:int}/materials", request_max_body_size=UPLOAD_LIMIT)
    async def upload(self, request: Request, session_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        data, filename = await _file_bytes(form, "file")
        try:
            await portal.add_material(request.state.principal, session_id, data=data, filename=filename,
                                      share_after_session=form.get("share") == "on",
                                      storage=request.app.state.storage)
        except Invalid as exc:
            return await self._session(request, session_id, errors=exc.field_messages(), status_code=422)
        return Redirect(f"/speaker/sessions/{session_id}?saved=material", status_code=303)

    def _disclosure_page(self, request, speaker, view, *, errors=None, rows=None, kind="", status_code=200):
        rows = rows or [{"company": "", "nature": "", "ongoing": True, "ended_on": ""}] * RELATIONSHIP_ROWS
        return page(request, "speaker/disclosure.html", speaker=speaker, view=view, rows=rows, kind=kind,
                    natures=disclosures.NATURE_LABELS, errors=errors or {}, status_code=status_code)

    @get("/disclosure")
    async def disclosure(self, request: Request) -> Template:
        speaker = await portal.profile(request.state.principal)
        view = (await disclosures.current([speaker["id"]]))[speaker["id"]]
        return self._disclosure_page(request, speaker, view)

    @post("/disclosure")
    async def submit_disclosure(self, request: Request) -> Template | Redirect:
        form = await request.form()
        rows = [{"index": i, "company": str(form.get(f"company_{i}", "")), "nature": str(form.get(f"nature_{i}", "")),
                 "ongoing": form.get(f"ongoing_{i}") == "on", "ended_on": str(form.get(f"ended_on_{i}", ""))}
                for i in range(RELATIONSHIP_ROWS)]
        filled = [r for r in rows if r["company"].strip() or r["ended_on"].strip()]
        kind = str(form.get("kind", ""))
        try:
            await disclosures.submit(request.state.principal, kind=kind, relationships=filled,
                                     attested=form.get("attest") == "on")
        except Invalid as exc:
            speaker = await portal.profile(request.state.principal)
            view = (await disclosures.current([speaker["id"]]))[speaker["id"]]
            return self._disclosure_page(request, speaker, view, errors=exc.field_messages(), rows=rows, kind=kind,
                                         status_code=422)
        return Redirect("/speaker?saved=disclosure", status_code=303)


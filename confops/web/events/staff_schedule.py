"""The staff schedule editor: rooms, tracks, session times and people; publishing versions."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from confops.core.auth import STAFF
from confops.core.clock import local
from confops.core.errors import Conflict, Invalid
from confops.events import schedule
from confops.events.kinds import SessionKind
from confops.speakers.roles import SpeakerRole
from confops.web.render import page

SESSION_FIELDS = ("title", "kind", "starts_at", "ends_at", "room", "track", "capacity", "credit_quarters", "code")


class ScheduleEditor(Controller):
    path = "/staff/events/{slug:str}/schedule"
    include_in_schema = False
    opt = {"access": STAFF}

    async def _page(self, request: Request, slug: str, *, errors=None, form_for=None, values=None,
                    status_code=200, notice="") -> Template:
        data = await schedule.editor(request.state.principal, slug)
        tz = data["event"]["timezone"]
        rows = []
        for s in data["sessions"]:
            row = {**s, "starts_local": local(s["starts_at"], tz).strftime("%Y-%m-%dT%H:%M"),
                   "ends_local": local(s["ends_at"], tz).strftime("%Y-%m-%dT%H:%M")}
            if form_for == s["id"] and values:
                row.update({k: v for k, v in values.items() if k not in ("starts_at", "ends_at")},
                           starts_local=values.get("starts_at", ""), ends_local=values.get("ends_at", ""))
            rows.append(row)
        return page(request, "staff/schedule.html", **data, rows=rows, kinds=[k.value for k in SessionKind],
                    roles=[r.value for r in SpeakerRole], errors=errors or {}, form_for=form_for,
                    values=values or {}, notice=notice, status_code=status_code)

    @get("/")
    async def editor(self, request: Request, slug: FromPath[str], notice: FromQuery[str | None] = None) -> Template:
        return await self._page(request, slug, notice=notice or "")

    async def _run(self, request: Request, slug: str, action, *, form_for=None, values=None, done="Saved."):
        try:
            await action()
        except (Invalid, Conflict) as exc:
            errors: dict[str, str] = {}
            for e in exc.errors:  # several clashes on one field (two speakers) are all shown
                errors[e.field] = f"{errors[e.field]} {e.message}" if e.field in errors else e.message
            errors = errors or {"form": exc.detail}
            return await self._page(request, slug, errors=errors, form_for=form_for, values=values,
                                    status_code=exc.status_code)
        return Redirect(f"/staff/events/{slug}/schedule?notice={done}", status_code=303)

    @post("/rooms")
    async def add_room(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        form = await request.form()
        return await self._run(request, slug, lambda: schedule.add_room(
            request.state.principal, slug, str(form.get("name", "")), str(form.get("capacity", ""))),
            form_for="room", done="Room added.")

    @post("/tracks")
    async def add_track(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        form = await request.form()
        return await self._run(request, slug, lambda: schedule.add_track(
            request.state.principal, slug, str(form.get("name", ""))), form_for="track", done="Track added.")

    @post("/sessions")
    async def new_session(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in SESSION_FIELDS}
        return await self._run(request, slug, lambda: schedule.save_session(
            request.state.principal, slug, None, values), form_for="new", values=values, done="Session added.")

    @post("/sessions/{session_id:int}")
    async def save_session(self, request: Request, slug: FromPath[str], session_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        values = {k: str(form.get(k, "")) for k in SESSION_FIELDS}
        return await self._run(request, slug, lambda: schedule.save_session(
            request.state.principal, slug, session_id, values), form_for=session_id, values=values,
            done="Session saved.")

    @post("/sessions/{session_id:int}/speakers")
    async def assign(self, request: Request, slug: FromPath[str], session_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        speaker = str(form.get("speaker", ""))
        return await self._run(request, slug, lambda: schedule.assign_speaker(
            request.state.principal, slug, session_id, int(speaker) if speaker.isdigit() else 0,
            str(form.get("role", ""))), form_for=session_id, done="Speaker added.")

    @post("/sessions/{session_id:int}/published")
    async def publish_session(self, request: Request, slug: FromPath[str], session_id: FromPath[int]) -> Template | Redirect:
        form = await request.form()
        return await self._run(request, slug, lambda: schedule.set_published(
            request.state.principal, slug, session_id, form.get("published") == "yes"), form_for=session_id,
            done="Session updated.")

    @post("/versions")
    async def publish(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        return await self._run(request, slug, lambda: schedule.publish_version(request.state.principal, slug),
                               done="Schedule published.")

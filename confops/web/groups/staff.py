"""Staff pages for an event's Balint small groups: set up, run, review the quality, adjust
(move, pin, lock) and publish; and the society's leader-training records. Registrars and
admins of the organizer."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from confops.core.auth import STAFF
from confops.core.errors import DomainError, Invalid
from confops.groups import planning, runs, training
from confops.groups.credentialing import Requirements
from confops.groups.kinds import TrainingKind
from confops.groups.model import Discipline, Experience
from confops.web.render import page

ROLES = {"access": STAFF, "roles": ["registrar"]}


def _int(values: dict, name: str, default: int | None = None) -> int | None:
    raw = str(values.get(name, "")).strip()
    if raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise Invalid("Give a whole number.", field=name) from exc


async def _form(request: Request) -> dict:
    return {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}


async def groups_page(request: Request, event: dict, *, status_code: int = 200, error: str = "",
                      errors: dict | None = None) -> Template:
    series = await planning.series_of(event["id"])
    context = {"event": event, "series": series, "problem": error, "errors": errors or {},
               "note": request.query_params.get("note", ""), "disciplines": list(Discipline),
               "experiences": list(Experience)}
    if series is not None:
        world = await runs.load_world(series["id"])
        run = await runs.current_run(series["id"])
        groups = await runs.groups_of(run["id"]) if run else []
        roster_ids = await runs.published_group_ids(series["id"])
        context.update(
            sessions=await planning.series_sessions(series["id"]), rooms=list(world.rooms),
            leaders=await planning.leaders(series["id"]), participants=await planning.participants(series["id"]),
            pins=await planning.pins(series["id"]), world=world, run=run, groups=groups, roster_ids=roster_ids,
            report_lines=runs.report_lines(run["report"], world) if run else [],
            people=sorted(((k, world.name(k)) for k in (*world.people, *world.leaders)), key=lambda kv: kv[1]),
        )
    return page(request, "groups/staff.html", status_code=status_code, **context)


class StaffGroups(Controller):
    include_in_schema = False
    opt = ROLES
    path = "/staff/events/{slug:str}/groups"

    async def _do(self, request: Request, slug: str, action) -> Template | Redirect:
        event = await planning.event_for_staff(slug, request.state.principal)
        try:
            note = await action(event, await _form(request))
        except DomainError as exc:
            return await groups_page(request, event, status_code=exc.status_code, error=exc.detail,
                                     errors=exc.field_messages())
        return Redirect(f"/staff/events/{slug}/groups?note={note}", status_code=303)

    async def _series(self, event: dict) -> int:
        series = await planning.series_of(event["id"])
        if series is None:
            raise Invalid("Set up the small groups first.")
        return series["id"]

    @get("/")
    async def index(self, request: Request, slug: FromPath[str]) -> Template:
        event = await planning.event_for_staff(slug, request.state.principal)
        return await groups_page(request, event)

    @post("/setup")
    async def setup(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        async def act(event, v):
            await planning.ensure_series(event["id"], min_size=_int(v, "min_size", 6), max_size=_int(v, "max_size", 10),
                                         ideal_size=_int(v, "ideal_size", 8), group_count=_int(v, "group_count"),
                                         separate_tracks=v.get("separate_tracks") == "1")
            return "saved"
        return await self._do(request, slug, act)

    @post("/rooms")
    async def rooms(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        async def act(event, v):
            await planning.set_rooms(await self._series(event), v.get("rooms", "").splitlines())
            return "rooms"
        return await self._do(request, slug, act)

    @post("/leaders")
    async def add_leader(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        async def act(event, v):
            await planning.add_leader(await self._series(event), name=v.get("name", ""), email=v.get("email", ""),
                                      discipline=v.get("discipline", ""), experience=v.get("experience", ""),
                                      institution=v.get("institution", ""))
            return "leader"
        return await self._do(request, slug, act)

    @post("/leaders/{leader_id:int}/active")
    async def leader_active(self, request: Request, slug: FromPath[str], leader_id: FromPath[int]) -> Template | Redirect:
        """A leader who cancels leaves the pool (the next run gives their group a spare leader)."""
        async def act(event, v):
            await planning.set_leader_active(await self._series(event), leader_id, v.get("active") == "1")
            return "leader-updated"
        return await self._do(request, slug, act)

    @post("/opt-in-all")
    async def opt_in_all(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        async def act(event, v):
            n = await planning.opt_in_everyone(await self._series(event))
            return f"joined-{n}"
        return await self._do(request, slug, act)

    @post("/pins")
    async def pin(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        async def act(event, v):
            await planning.add_pin(await self._series(event), v.get("person_a", ""), v.get("person_b", ""),
                                   v.get("together") == "1", request.state.principal.user_id)
            return "pinned"
        return await self._do(request, slug, act)

    @post("/pins/{pin_id:int}/delete")
    async def unpin(self, request: Request, slug: FromPath[str], pin_id: FromPath[int]) -> Template | Redirect:
        async def act(event, v):
            await planning.remove_pin(await self._series(event), pin_id)
            return "unpinned"
        return await self._do(request, slug, act)

    @post("/run")
    async def run(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        async def act(event, v):
            await runs.assign_series(await self._series(event), seed=_int(v, "seed", 0) or 0,
                                     actor=request.state.principal.user_id)
            return "assigned"
        return await self._do(request, slug, act)

    @post("/move")
    async def move(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        async def act(event, v):
            await runs.move_person(await self._series(event), _int(v, "run", 0), v.get("person", ""),
                                   _int(v, "group", 0), request.state.principal.user_id)
            return "moved"
        return await self._do(request, slug, act)

    @post("/lock")
    async def lock(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        async def act(event, v):
            await runs.set_locked(await self._series(event), _int(v, "run", 0), _int(v, "group", 0),
                                  v.get("locked") == "1", request.state.principal.user_id)
            return "locked" if v.get("locked") == "1" else "unlocked"
        return await self._do(request, slug, act)

    @post("/publish")
    async def publish(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        async def act(event, v):
            n = await runs.publish(await self._series(event), _int(v, "run", 0),
                                   actor=request.state.principal.user_id,
                                   base_url=request.app.state.settings.base_url)
            return f"published-{n}"
        return await self._do(request, slug, act)


class StaffLeaderTraining(Controller):
    include_in_schema = False
    opt = {"access": STAFF, "roles": ["registrar"]}
    path = "/staff/leader-training"

    async def _page(self, request: Request, org: dict, status_code: int = 200, error: str = "",
                    errors: dict | None = None, v: dict | None = None) -> Template:
        return page(request, "groups/staff_training.html", status_code=status_code, org=org,
                    people=await training.overview(org["id"]), rules=await training.rules_for(org["id"]),
                    kinds=list(TrainingKind), problem=error, errors=errors or {}, v=v or {},
                    note=request.query_params.get("note", ""))

    @get("/")
    async def index(self, request: Request) -> Template:
        return await self._page(request, await training.staff_organizer(request.state.principal))

    @post("/")
    async def add(self, request: Request) -> Template | Redirect:
        org = await training.staff_organizer(request.state.principal)
        v = {k: str(x) for k, x in (await request.form()).items() if k != "_csrf_token"}
        try:
            await training.add_record(org["id"], email=v.get("email", ""), name=v.get("name", ""),
                                      kind=v.get("kind", ""), held_on=v.get("held_on", ""), title=v.get("title", ""),
                                      evaluative=v.get("evaluative") == "1", event_slug=v.get("event", "").strip(),
                                      recorded_by=request.state.principal.email)
        except DomainError as exc:
            return await self._page(request, org, exc.status_code, exc.detail, exc.field_messages(), v)
        return Redirect("/staff/leader-training?note=added", status_code=303)

    @post("/rules")
    async def rules(self, request: Request) -> Template | Redirect:
        """The society's credentialing requirements (the ABS's until changed)."""
        org = await training.staff_organizer(request.state.principal)
        v = await _form(request)
        try:
            values = [_int(v, k) for k in ("intensives", "leading_months", "leading_per_month", "supervision_per_year")]
            for name, value in zip(("intensives", "leading_months", "leading_per_month", "supervision_per_year"),
                                   values, strict=True):
                if value is None or value < 1:
                    raise Invalid("Give a whole number of at least 1.", field=name)
            await training.set_rules(org["id"], Requirements(values[0], v.get("final_evaluative") == "1", *values[1:]))
        except DomainError as exc:
            return await self._page(request, org, exc.status_code, exc.detail, exc.field_messages(), v)
        return Redirect("/staff/leader-training?note=requirements saved", status_code=303)

    @post("/{record_id:int}/delete")
    async def delete(self, request: Request, record_id: FromPath[int]) -> Redirect:
        org = await training.staff_organizer(request.state.principal)
        await training.delete_record(org["id"], record_id)
        return Redirect("/staff/leader-training?note=deleted", status_code=303)

"""Staff pages of an event's figures: the dashboard (charts), exports and the diversity report."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from confops.accounts.tables import Role
from confops.backoffice import diversity, exports
from confops.backoffice.dashboard import dashboard
from confops.backoffice.spreadsheets import to_csv, to_xlsx
from confops.core.auth import STAFF
from confops.core.errors import NotFound, NotYours
from confops.registration.staff import event_for_staff
from confops.web.charts import bar_chart, line_chart
from confops.web.render import page

REGISTRAR = {"access": STAFF, "roles": [Role.registrar]}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class EventReports(Controller):
    include_in_schema = False
    opt = REGISTRAR
    path = "/staff/events/{slug:str}"

    @get("/dashboard")
    async def dashboard(self, request: Request, slug: FromPath[str]) -> Template:
        event = await event_for_staff(slug, request.state.principal)
        board = await dashboard(event["id"])
        return page(request, "backoffice/dashboard.html", event=event, board=board,
                    bar_chart=bar_chart, line_chart=line_chart)

    @get("/exports")
    async def exports(self, request: Request, slug: FromPath[str]) -> Template:
        event = await event_for_staff(slug, request.state.principal)
        tables = await exports.all_tables(event["id"])
        return page(request, "backoffice/exports.html", event=event, tables=tables, workbooks=exports.WORKBOOKS)

    @get("/exports/{key:str}/{fmt:str}")
    async def download(self, request: Request, slug: FromPath[str], key: FromPath[str],
                       fmt: FromPath[str]) -> Response:
        event = await event_for_staff(slug, request.state.principal)
        if fmt not in ("csv", "xlsx") or (fmt == "csv" and key in exports.WORKBOOKS):
            raise NotFound("There is no such export.")
        tables = await exports.tables_for(event["id"], key)
        name = f"{slug}-{key}.{fmt}"
        headers = {"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"}
        if fmt == "csv":
            return Response(to_csv(tables[0]).encode("utf-8-sig"), media_type="text/csv; charset=utf-8",
                            headers=headers)
        return Response(to_xlsx(tables), media_type=XLSX, headers=headers)

    @get("/diversity")
    async def diversity(self, request: Request, slug: FromPath[str]) -> Template:
        event = await event_for_staff(slug, request.state.principal)
        return page(request, "backoffice/diversity.html", event=event, tables=await diversity.event_report(
            event["id"]), per_event=None, threshold=diversity.THRESHOLD)


class AcrossEvents(Controller):
    include_in_schema = False
    opt = REGISTRAR

    @get("/staff/diversity")
    async def diversity(self, request: Request) -> Template:
        principal = request.state.principal
        orgs = [o for o in principal.staff_organizers() if principal.has(o, Role.registrar)]
        if not orgs:
            raise NotYours("Your account does not have the role this needs.")
        report = await diversity.organizer_report(orgs[0])
        return page(request, "backoffice/diversity.html", event=None, tables=report["tables"],
                    per_event=report["per_event"], threshold=diversity.THRESHOLD)

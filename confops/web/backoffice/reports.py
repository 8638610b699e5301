"""Staff pages of an event's figures: the dashboard (charts), exports and the diversity report."""

from __future__ import annotations

import os
from collections.abc import Iterator

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Stream, Template

from confops.backoffice import diversity, exports
from confops.backoffice.dashboard import dashboard
from confops.backoffice.spreadsheets import csv_stream, xlsx_file
from confops.core.auth import STAFF, Role
from confops.core.errors import NotFound, NotYours
from confops.registration.staff import event_for_staff
from confops.web.charts import bar_chart, line_chart
from confops.web.render import page

REGISTRAR = {"access": STAFF, "roles": [Role.registrar]}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _sent_then_deleted(path: str) -> Iterator[bytes]:
    """A prepared file sent in pieces (Litestar reads a plain iterator in a thread), deleted
    once sent or when the download is abandoned."""
    try:
        with open(path, "rb") as f:
            while piece := f.read(256 * 1024):
                yield piece
    finally:
        os.unlink(path)


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
        sources = await exports.sources(event["id"])  # names only: no export is read to list them
        return page(request, "backoffice/exports.html", event=event, tables=sources, workbooks=exports.WORKBOOKS)

    @get("/exports/{key:str}/{fmt:str}")
    async def download(self, request: Request, slug: FromPath[str], key: FromPath[str],
                       fmt: FromPath[str]) -> Response:
        event = await event_for_staff(slug, request.state.principal)
        if fmt not in ("csv", "xlsx") or (fmt == "csv" and key in exports.WORKBOOKS):
            raise NotFound("There is no such export.")
        sources = await exports.sources_for(event["id"], key)  # only the table(s) asked for
        name = f"{slug}-{key}.{fmt}"
        headers = {"content-disposition": f'attachment; filename="{name}"', "cache-control": "no-store"}
        if fmt == "csv":
            columns, batches = await sources[0].build(event["id"])
            return Stream(csv_stream(columns, batches), media_type="text/csv; charset=utf-8", headers=headers)
        sheets = []
        for source in sources:
            columns, batches = await source.build(event["id"])
            sheets.append((source.title, columns, batches))
        path, size = await xlsx_file(sheets)
        headers["content-length"] = str(size)
        return Stream(_sent_then_deleted(path), media_type=XLSX, headers=headers)

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

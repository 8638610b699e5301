"""The scanner page: one static page; the device token lives in the URL fragment (never sent
to the server, so never in access logs) and then in the browser's storage."""

from __future__ import annotations

from litestar import Controller, Request, get
from litestar.response import Template

from confops.core.auth import PUBLIC
from confops.web.render import page


class ScannerPage(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    @get("/checkin/scanner")
    async def scanner(self, request: Request) -> Template:
        return page(request, "checkin/scanner.html")

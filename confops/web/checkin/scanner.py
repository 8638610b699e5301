"""The scanner page: one static page; the device token lives in the URL fragment (never sent
to the server, so never in access logs) and then in the browser's storage."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.response import Template

from confops.core.auth import PUBLIC
from confops.web import STATIC
from confops.web.render import page

WORKER = STATIC / "checkin" / "scanner-sw.js"


class ScannerPage(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    @get("/checkin/scanner")
    async def scanner(self, request: Request) -> Template:
        return page(request, "checkin/scanner.html")

    @get("/checkin/scanner-sw.js")
    async def service_worker(self) -> Response[bytes]:
        """The scanner's service worker, served under /checkin/ so it may cache the page itself."""
        return Response(WORKER.read_bytes(), media_type="text/javascript",
                        headers={"cache-control": "no-cache", "service-worker-allowed": "/checkin/"})

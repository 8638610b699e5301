"""Public certificate verification: the page the certificate's QR opens, and the same in JSON."""

from __future__ import annotations

from urllib.parse import quote

import msgspec
from litestar import Controller, Request, get
from litestar.params import FromPath
from litestar.response import Redirect, Template

from confops.cme import certificates, credential_offer
from confops.core.auth import PUBLIC
from confops.web.api_docs import problems
from confops.web.render import page


class CertificateStatusOut(msgspec.Struct):
    serial: str
    status: str
    name: str
    activity: str
    dates: str
    credit: str
    issuer: str
    issued_on: str
    completed_on: str = ""
    superseded_by: str | None = None
    revoked_on: str = ""


class VerifyPage(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    @get("/v/{serial:str}")
    async def short(self, serial: FromPath[str]) -> Redirect:
        """The short address printed on certificates: the verify page, for any serial (the page
        says when it is unknown)."""
        return Redirect(f"/verify/{quote(serial, safe='')}", status_code=302)

    @get("/verify/{serial:str}")
    async def verify(self, request: Request, serial: FromPath[str]) -> Template:
        from confops.attendance import (
            service as attendance,  # certificates of attendance share the page
        )

        if attendance.is_attendance_serial(serial):
            view = await attendance.public_view(serial)
            return page(request, "attendance/verify.html", v=view, organizer=view["organizer"],
                        **await credential_offer.offer(view["serial"]))
        view = await certificates.public_view(serial)
        return page(request, "cme/verify.html", v=view, organizer=view["organizer"],
                    **await credential_offer.offer(view["serial"]))


class CertificatesApi(Controller):
    path = "/api/v1"
    tags = ["certificates"]
    opt = {"access": PUBLIC}

    @get("/certificates/{serial:str}", responses=problems(404, 422))
    async def certificate(self, serial: FromPath[str]) -> CertificateStatusOut:
        """A certificate's status (valid, superseded or revoked) with only what verification needs;
        an unknown serial answers 404 with code `unknown_serial`."""
        v = await certificates.public_view(serial)
        return CertificateStatusOut(**{k: v[k] for k in CertificateStatusOut.__struct_fields__})

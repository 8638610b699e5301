"""Faculty: letters of participation (with teaching credit where offered) and, in aggregate,
the evaluations of their own sessions."""

from __future__ import annotations

from litestar import Controller, Request, Response, get
from litestar.params import FromPath
from litestar.response import Template

from confops.cme import certificate_pdf, certificates, evaluations, faculty
from confops.cme.batch import verify_url
from confops.cme.svg_chart import bar_chart
from confops.core.auth import SIGNED_IN
from confops.web.cme.account import _pdf
from confops.web.render import page


class FacultyCme(Controller):
    path = "/speaker/cme"
    include_in_schema = False
    opt = {"access": SIGNED_IN}

    @get("/")
    async def home(self, request: Request) -> Template:
        items = await faculty.teaching(request.state.principal)
        for item in items:
            ids = {s["session_id"] for s in item["sessions"]}
            item["summary"] = await evaluations.speaker_summary(ids, item["event"]["id"])
            for q in item["summary"]:
                q["chart"] = bar_chart(q["counts"], title=q["question"]["prompt"]) if q["counts"] else ""
        return page(request, "cme/faculty.html", items=items)

    @get("/{slug:str}/letter")
    async def letter(self, request: Request, slug: FromPath[str]) -> Response:
        row = await faculty.letter(request.state.principal, slug)
        data = await certificate_pdf.signed_certificate(
            row, certificates.contents(row), verify_url(request.app.state.settings.base_url, row["serial"]))
        return _pdf(data, f"letter-{row['serial']}.pdf")

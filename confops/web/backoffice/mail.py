"""Bulk e-mail (staff) and the public mailing list: join, confirm, one-click unsubscribe."""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from confops.backoffice import bulkmail, mailing_list
from confops.core.auth import PUBLIC, STAFF, Role
from confops.core.errors import Invalid
from confops.registration.staff import event_for_staff
from confops.web.render import page


def _int(raw: str) -> int | None:
    return int(raw) if (raw or "").strip().isdigit() else None


async def _form(request: Request) -> dict[str, str]:
    return {k: str(v) for k, v in (await request.form()).items() if k != "_csrf_token"}


def _audience(values: dict[str, str], extra_keys: list[str]) -> bulkmail.Audience:
    return bulkmail.Audience(
        audience=values.get("audience") or "registrants", category=_int(values.get("category", "")),
        status=values.get("status") or "confirmed", session=_int(values.get("session", "")),
        extra={k: values.get(f"filter_{k}", "") for k in extra_keys if values.get(f"filter_{k}")})


class BulkMailPages(Controller):
    include_in_schema = False
    opt = {"access": STAFF, "roles": [Role.registrar]}
    path = "/staff/events/{slug:str}/mail"

    async def _render(self, request: Request, event: dict, values: dict, *, status_code: int = 200,
                      errors: dict | None = None, preview: dict | None = None, notice: str = "") -> Template:
        options = await bulkmail.filter_options(event["id"])
        return page(request, "backoffice/mail.html", status_code=status_code, event=event, v=values,
                    options=options, errors=errors or {}, preview=preview, notice=notice,
                    history=await bulkmail.history(event["id"]))

    async def _event(self, request: Request, slug: str) -> dict:
        return await event_for_staff(slug, request.state.principal)

    @get("/")
    async def form(self, request: Request, slug: FromPath[str]) -> Template:
        event = await self._event(request, slug)
        sent = request.query_params.get("sent", "")
        return await self._render(request, event, {"status": "confirmed", "audience": "registrants"},
                                  notice=f"Queued {sent} message(s)." if sent.isdigit() else "")

    async def _act(self, request: Request, slug: str, action: str) -> Template | Redirect:
        event = await self._event(request, slug)
        values = await _form(request)
        options = await bulkmail.filter_options(event["id"])
        audience = _audience(values, [f.key for f in options["extra"]])
        subject, body = values.get("subject", ""), values.get("body", "")
        try:
            if action == "send":
                mailing = await bulkmail.send(event, audience, subject, body, request.state.principal.user_id)
                return Redirect(f"/staff/events/{slug}/mail?sent={mailing.recipients}", status_code=303)
            if action == "test":
                principal = request.state.principal
                await bulkmail.send_test(event, principal.email, principal.display_name, subject, body)
                return await self._render(request, event, values,
                                          notice=f"A test message is on its way to {principal.email}.")
            return await self._render(request, event, values,
                                      preview=await bulkmail.preview(event, audience, subject, body))
        except Invalid as exc:
            return await self._render(request, event, values, status_code=422, errors=exc.field_messages())

    @post("/preview")
    async def preview(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        return await self._act(request, slug, "preview")

    @post("/test")
    async def test(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        return await self._act(request, slug, "test")

    @post("/send")
    async def send(self, request: Request, slug: FromPath[str]) -> Template | Redirect:
        return await self._act(request, slug, "send")


class MailingListPages(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    @get("/mailing-list")
    async def form(self, request: Request) -> Template:
        return page(request, "backoffice/mailing_list.html", state="form", errors={}, v={})

    @post("/mailing-list")
    async def join(self, request: Request) -> Template:
        values = await _form(request)
        try:
            await mailing_list.join(request.app.state.settings.default_organizer, values.get("email", ""),
                                    values.get("name", ""))
        except Invalid as exc:
            return page(request, "backoffice/mailing_list.html", status_code=422, state="form",
                        errors=exc.field_messages(), v=values)
        return page(request, "backoffice/mailing_list.html", state="check", errors={}, v=values)

    @get("/mailing-list/confirm/{token:str}")
    async def confirm(self, request: Request, token: FromPath[str]) -> Template:
        row = await mailing_list.confirm(token)
        return page(request, "backoffice/mailing_list.html", state="joined", errors={}, v={"email": row["email"]})

    @get("/unsubscribe/{token:str}")
    async def ask(self, request: Request, token: FromPath[str]) -> Template:
        _, email = mailing_list.read_token(token)
        return page(request, "backoffice/mailing_list.html", state="unsubscribe", errors={},
                    v={"email": email, "token": token})

    @post("/unsubscribe/{token:str}", opt={"exclude_from_csrf": True})
    async def unsubscribe(self, request: Request, token: FromPath[str]) -> Template:
        """One click: mail clients POST "List-Unsubscribe=One-Click" here without a CSRF token (RFC 8058).
        The signed token is the authority; unsubscribing someone is harmless and reversible by re-joining."""
        email = await mailing_list.unsubscribe(token)
        return page(request, "backoffice/mailing_list.html", state="unsubscribed", errors={}, v={"email": email})

"""Signing in: staff with a password; attendees and speakers with a single-use e-mailed link.

The link's GET shows a button and only the POST signs in, so mail scanners that open links
do not use them up.
"""

from __future__ import annotations

from litestar import Controller, Request, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from confops.accounts import service
from confops.core.auth import PUBLIC, SIGNED_IN
from confops.core.errors import Invalid, InvalidCredentials
from confops.web.access import SESSION_USER
from confops.web.render import page


def _sign_in(request: Request, user_id: int) -> None:
    request.clear_session()
    request.set_session({SESSION_USER: user_id})


class SignIn(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    @get("/staff/login")
    async def staff_form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return page(request, "account/staff_login.html", next=service.safe_next_path(next, "/staff"),
                    email="", errors={})

    @post("/staff/login")
    async def staff_submit(self, request: Request) -> Template | Redirect:
        form = await request.form()
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        next_path = service.safe_next_path(str(form.get("next", "")), "/staff")
        try:
            user_id = await service.authenticate(email, password)
        except InvalidCredentials as exc:
            return page(request, "account/staff_login.html", status_code=401, next=next_path,
                        email=email, errors={"form": exc.detail})
        _sign_in(request, user_id)
        return Redirect(next_path, status_code=303)

    @get("/login")
    async def link_form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return page(request, "account/login.html", next=service.safe_next_path(next, "/account"),
                    email="", errors={}, sent=False)

    @post("/login")
    async def link_submit(self, request: Request) -> Template:
        form = await request.form()
        email = str(form.get("email", ""))
        next_path = service.safe_next_path(str(form.get("next", "")), "/account")
        settings = request.app.state.settings
        try:
            await service.request_login_link(
                email, base_url=settings.base_url,
                valid_minutes=settings.login_link_minutes, next_path=next_path,
            )
        except Invalid as exc:
            return page(request, "account/login.html", status_code=422, next=next_path, email=email,
                        errors=exc.field_messages(), sent=False)
        # Same answer whether or not the address has an account: no enumeration.
        return page(request, "account/login.html", next=next_path, email=email, errors={}, sent=True)

    @get("/login/link/{token:str}")
    async def link_confirm(self, request: Request, token: FromPath[str]) -> Template:
        usable = await service.login_link_is_usable(token)
        return page(request, "account/link.html", token=token, usable=usable,
                    status_code=200 if usable else 410)

    @post("/login/link/{token:str}")
    async def link_use(self, request: Request, token: FromPath[str]) -> Redirect | Template:
        try:
            user_id, next_path = await service.consume_login_link(token)
        except InvalidCredentials:
            return page(request, "account/link.html", token=token, usable=False, status_code=410)
        _sign_in(request, user_id)
        return Redirect(next_path, status_code=303)

    @post("/logout", opt={"access": SIGNED_IN})
    async def logout(self, request: Request) -> Redirect:
        request.clear_session()
        return Redirect("/", status_code=303)

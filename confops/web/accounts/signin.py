"""Signing in: staff with a password (and, for admins, a second factor); attendees and
speakers with a single-use e-mailed link.

The link's GET shows a button and only the POST signs in, so mail scanners that open links
do not use them up. Failed attempts are counted per account and per address
(accounts/throttle.py) and written to the audit log.
"""

from __future__ import annotations

import base64

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath, FromQuery
from litestar.response import Redirect, Template

from confops.accounts import second_factor, service, sessions, throttle
from confops.core import extension
from confops.core.auth import PUBLIC, SIGNED_IN
from confops.core.errors import Invalid, InvalidCredentials
from confops.web.access import client_address, session_cookie, session_of, session_token
from confops.web.render import page

SECOND_FACTOR_PAGE = "/staff/login/second-factor"
SETUP_PAGE = "/staff/login/second-factor/setup"


async def audit(action: str, user_id: int | None, email: str, request: Request, **details) -> None:
    await extension.emit("staff_change", actor_id=user_id, action=action, entity="account", entity_id=email,
                         before=None, after={"address": client_address(request), **details})


async def start_session(request: Request, user_id: int, response: Response, *, stage: str = sessions.SIGNED_IN,
                        data: dict | None = None) -> Response:
    """End whatever session the browser had and start a new one (a new token at every step)."""
    await sessions.end(session_token(request))
    token = await sessions.start(user_id, stage=stage, address=client_address(request),
                                 user_agent=request.headers.get("user-agent", "")[:300], data=data)
    if stage == sessions.SIGNED_IN:
        await service.record_sign_in(user_id)
    response.set_cookie(session_cookie(request, token))
    return response


def _too_many(request: Request, template: str, wait: int, **context) -> Template:
    minutes = max(1, (wait + 59) // 60)
    return page(request, template, status_code=429, errors={
        "form": f"Too many failed attempts. Try again in {minutes} minute{'s' if minutes != 1 else ''}."},
        **context)


def qr_data_uri(text: str) -> str:
    from confops.registration.checkin_qr import qr_png

    return "data:image/png;base64," + base64.b64encode(qr_png(text)).decode()


class SignIn(Controller):
    include_in_schema = False
    opt = {"access": PUBLIC}

    @get("/staff/login")
    async def staff_form(self, request: Request, next: FromQuery[str | None] = None) -> Template:
        return page(request, "account/staff_login.html", next=service.safe_next_path(next, "/staff"),
                    email="", errors={})

    @post("/staff/login")
    async def staff_submit(self, request: Request) -> Response:
        form = await request.form()
        email, password = str(form.get("email", "")), str(form.get("password", ""))
        next_path = service.safe_next_path(str(form.get("next", "")), "/staff")
        account, address = service.normalize_email(email)[:254], client_address(request)
        checks = ((throttle.PASSWORD_ACCOUNT, account), (throttle.PASSWORD_ADDRESS, address))
        if wait := await throttle.blocked(*checks):
            await audit("sign_in_throttled", None, account, request)
            return _too_many(request, "account/staff_login.html", wait, next=next_path, email=email)
        try:
            user_id = await service.authenticate(email, password)
        except InvalidCredentials as exc:
            await throttle.count(*checks)
            await audit("sign_in_failed", None, account, request, step="password")
            return page(request, "account/staff_login.html", status_code=401, next=next_path,
                        email=email, errors={"form": exc.detail})
        await throttle.forget(throttle.PASSWORD_ACCOUNT, account)
        if await second_factor.required(user_id):
            stage = sessions.SECOND_FACTOR if await second_factor.enrolled(user_id) else sessions.ENROL
            target = SECOND_FACTOR_PAGE if stage == sessions.SECOND_FACTOR else SETUP_PAGE
            # The key to set up is chosen with the session that will hold it: the setup page only shows it.
            enrol = {"secret": second_factor.new_secret()} if stage == sessions.ENROL else {}
            return await start_session(request, user_id, Redirect(target, status_code=303), stage=stage,
                                       data={"next": next_path, "email": account, **enrol})
        await audit("sign_in", user_id, account, request, method="password")
        return await start_session(request, user_id, Redirect(next_path, status_code=303))

    @get(SECOND_FACTOR_PAGE)
    async def second_factor_form(self, request: Request) -> Template | Redirect:
        pending = await session_of(request)
        if pending is None or pending.stage != sessions.SECOND_FACTOR:
            return Redirect("/staff/login", status_code=303)
        return page(request, "account/second_factor.html", errors={})

    @post(SECOND_FACTOR_PAGE)
    async def second_factor_submit(self, request: Request) -> Response:
        pending = await session_of(request)
        if pending is None or pending.stage != sessions.SECOND_FACTOR:
            return Redirect("/staff/login", status_code=303)
        form = await request.form()
        account = pending.data.get("email", "")
        checks = ((throttle.PASSWORD_ACCOUNT, account), (throttle.PASSWORD_ADDRESS, client_address(request)))
        if wait := await throttle.blocked(*checks):
            await audit("sign_in_throttled", pending.user_id, account, request, step="second_factor")
            return _too_many(request, "account/second_factor.html", wait)
        method = await second_factor.verify(pending.user_id, str(form.get("code", "")))
        if method is None:
            await throttle.count(*checks)
            await audit("sign_in_failed", pending.user_id, account, request, step="second_factor")
            return page(request, "account/second_factor.html", status_code=401,
                        errors={"code": "That code is not right (or was used already). Try the newest one."})
        await throttle.forget(throttle.PASSWORD_ACCOUNT, account)
        await audit("sign_in", pending.user_id, account, request, method=method)
        return await start_session(request, pending.user_id,
                                   Redirect(pending.data.get("next") or "/staff", status_code=303))

    @get(SETUP_PAGE)
    async def setup_form(self, request: Request) -> Template | Redirect:
        pending = await session_of(request)
        if pending is None or pending.stage != sessions.ENROL or not pending.data.get("secret"):
            return Redirect("/staff/login", status_code=303)
        return self._setup_page(request, pending, errors={})

    def _setup_page(self, request: Request, pending: sessions.Session, *, errors: dict,
                    status_code: int = 200) -> Template:
        secret = pending.data["secret"]
        uri = second_factor.provisioning_uri(secret, pending.data.get("email", ""))
        return page(request, "account/second_factor_setup.html", status_code=status_code, errors=errors,
                    secret=" ".join(secret[i:i + 4] for i in range(0, len(secret), 4)), qr=qr_data_uri(uri),
                    action=SETUP_PAGE)

    @post(SETUP_PAGE)
    async def setup_submit(self, request: Request) -> Response:
        pending = await session_of(request)
        if pending is None or pending.stage != sessions.ENROL or not pending.data.get("secret"):
            return Redirect("/staff/login", status_code=303)
        form = await request.form()
        codes = await second_factor.enrol(pending.user_id, pending.data["secret"], str(form.get("code", "")))
        if codes is None:
            return self._setup_page(request, pending, status_code=422, errors={
                "code": "That code does not match. Enter the 6 digits your app shows now."})
        account = pending.data.get("email", "")
        await audit("second_factor_enabled", pending.user_id, account, request)
        await audit("sign_in", pending.user_id, account, request, method="totp")
        done = page(request, "account/recovery_codes.html", codes=codes,
                    next=pending.data.get("next") or "/staff")
        return await start_session(request, pending.user_id, done)

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
        checks = ((throttle.LINK_ACCOUNT, service.normalize_email(email)[:254]),
                  (throttle.LINK_ADDRESS, client_address(request)))
        if wait := await throttle.blocked(*checks):
            return _too_many(request, "account/login.html", wait, next=next_path, email=email, sent=False)
        try:
            await service.request_login_link(
                email, base_url=settings.base_url,
                valid_minutes=settings.login_link_minutes, next_path=next_path,
            )
        except Invalid as exc:
            return page(request, "account/login.html", status_code=422, next=next_path, email=email,
                        errors=exc.field_messages(), sent=False)
        await throttle.count(*checks)  # every link sent is mail in someone's inbox
        # Same answer whether or not the address has an account (or is staff): no enumeration.
        return page(request, "account/login.html", next=next_path, email=email, errors={}, sent=True)

    @get("/login/link/{token:str}")
    async def link_confirm(self, request: Request, token: FromPath[str]) -> Template:
        usable = await service.login_link_is_usable(token)
        return page(request, "account/link.html", token=token, usable=usable, staff=False,
                    status_code=200 if usable else 410)

    @post("/login/link/{token:str}")
    async def link_use(self, request: Request, token: FromPath[str]) -> Response:
        try:
            user_id, next_path = await service.consume_login_link(token)
        except InvalidCredentials as exc:
            return page(request, "account/link.html", token=token, usable=False,
                        staff=exc.code == "staff_use_password", status_code=410)
        return await start_session(request, user_id, Redirect(next_path, status_code=303))

    @post("/logout", opt={"access": SIGNED_IN})
    async def logout(self, request: Request) -> Redirect:
        await sessions.end(session_token(request))
        response = Redirect("/", status_code=303)
        response.set_cookie(session_cookie(request, None))
        return response

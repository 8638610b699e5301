"""My sign-in and security: the sessions signed in as me (end any of them), my password, my second
factor and recovery codes; admins can also end every session of another person."""

from __future__ import annotations

from litestar import Controller, Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Redirect, Template

from confops.accounts import second_factor, service, sessions
from confops.core.auth import SIGNED_IN, STAFF, Principal, Role
from confops.core.errors import Invalid, NotYours
from confops.web.access import principal_of, session_cookie, session_token
from confops.web.accounts.signin import audit, qr_data_uri
from confops.web.render import page

BASE = "/account/security"


def _browser(user_agent: str) -> str:
    """A person reads "Firefox on Windows", not the whole User-Agent."""
    ua = user_agent or ""
    browser = next((name for key, name in (("Edg/", "Edge"), ("Firefox/", "Firefox"), ("Chrome/", "Chrome"),
                                           ("Safari/", "Safari")) if key in ua), "A browser")
    system = next((name for key, name in (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
                                          ("Windows", "Windows"), ("Mac OS", "macOS"), ("Linux", "Linux"))
                   if key in ua), "")
    return f"{browser} on {system}" if system else browser


class SecurityPages(Controller):
    path = BASE
    include_in_schema = False
    opt = {"access": SIGNED_IN}

    async def _page(self, request: Request, principal: Principal, *, status_code: int = 200, **extra) -> Template:
        current = sessions.key_hash(session_token(request) or "")
        listed = [{"key": s.key_hash, "what": _browser(s.user_agent), "address": s.address,
                   "created_at": s.created_at, "last_seen_at": s.last_seen_at, "current": s.key_hash == current}
                  for s in await sessions.active(principal.user_id)]
        context = dict(sessions=listed, has_password=await service.has_password(principal.user_id),
                       enrolled=await second_factor.enrolled(principal.user_id),
                       required=await second_factor.required(principal.user_id),
                       codes_left=await second_factor.recovery_codes_left(principal.user_id),
                       is_admin=any(Role.admin in held for held in principal.roles.values()),
                       errors={}, notice="", setup=None)
        context.update(extra)
        return page(request, "account/security.html", status_code=status_code, **context)

    @get("/")
    async def show(self, request: Request) -> Template:
        return await self._page(request, await principal_of(request))

    @post("/sessions/{key:str}/end")
    async def end_one(self, request: Request, key: FromPath[str]) -> Response:
        principal = await principal_of(request)
        if key == sessions.key_hash(session_token(request) or ""):
            await sessions.end(session_token(request))  # ending this browser's own session signs it out
            response = Redirect("/", status_code=303)
            response.set_cookie(session_cookie(request, None))
            return response
        if not await sessions.end_by_hash(principal.user_id, key):
            return await self._page(request, principal, status_code=404, notice="That session had already ended.")
        await audit("session_ended", principal.user_id, principal.email, request, sessions=1)
        return await self._page(request, principal, notice="The session was ended: that browser is signed out.")

    @post("/sessions/end-others")
    async def end_others(self, request: Request) -> Template:
        principal = await principal_of(request)
        ended = await sessions.end_all(principal.user_id, keep=session_token(request))
        await audit("session_ended", principal.user_id, principal.email, request, sessions=ended)
        return await self._page(request, principal, notice=f"Signed out everywhere else ({ended} session"
                                                           f"{'s' if ended != 1 else ''} ended).")

    @post("/password")
    async def password(self, request: Request) -> Template:
        principal = await principal_of(request)
        form = await request.form()
        try:
            ended = await service.change_password(
                principal.user_id, str(form.get("current_password", "")), str(form.get("new_password", "")),
                str(form.get("confirm_password", "")), keep_session=session_token(request))
        except Invalid as exc:
            return await self._page(request, principal, status_code=422, errors=exc.field_messages())
        await audit("password_changed", principal.user_id, principal.email, request, sessions_ended=ended)
        return await self._page(request, principal, notice="Your password was changed; every other session "
                                                           "was signed out.")

    @get("/second-factor")
    async def setup_form(self, request: Request) -> Template:
        principal = await principal_of(request)
        return await self._page(request, principal, setup=self._setup(request, principal, None))

    def _setup(self, request: Request, principal: Principal, secret: str | None) -> dict:
        secret = secret or second_factor.new_secret()
        return {"secret": secret, "shown": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
                "qr": qr_data_uri(second_factor.provisioning_uri(secret, principal.email))}

    @post("/second-factor")
    async def setup_submit(self, request: Request) -> Template:
        principal = await principal_of(request)
        form = await request.form()
        secret = str(form.get("secret", ""))[:64]
        if not secret.isalnum():
            return await self._page(request, principal, status_code=422, setup=self._setup(request, principal, None))
        codes = await second_factor.enrol(principal.user_id, secret, str(form.get("code", "")))
        if codes is None:
            return await self._page(request, principal, status_code=422, setup=self._setup(request, principal, secret),
                                    errors={"code": "That code does not match. Enter the 6 digits your app shows now."})
        await audit("second_factor_enabled", principal.user_id, principal.email, request)
        return page(request, "account/recovery_codes.html", codes=codes, next=BASE)

    @post("/recovery-codes")
    async def new_codes(self, request: Request) -> Template:
        principal = await principal_of(request)
        form = await request.form()
        if await second_factor.verify(principal.user_id, str(form.get("code", ""))) != "totp":
            return await self._page(request, principal, status_code=422, errors={
                "recovery": "Enter the current code from your authenticator app to make new recovery codes."})
        codes = await second_factor.new_recovery_codes(principal.user_id)
        await audit("recovery_codes_replaced", principal.user_id, principal.email, request)
        return page(request, "account/recovery_codes.html", codes=codes, next=BASE)

    @post("/people/sessions/end", opt={"access": STAFF, "roles": [Role.admin]})
    async def end_someones(self, request: Request) -> Template:
        """An admin signs a person out everywhere (a lost laptop, someone who left)."""
        principal = await principal_of(request)
        if not any(Role.admin in held for held in principal.roles.values()):
            raise NotYours("Only admins can end another person's sessions.")
        form = await request.form()
        email = service.normalize_email(str(form.get("email", "")))[:254]
        found = await service.staff_organizers_of(email)
        if found is None:
            return await self._page(request, principal, status_code=422,
                                    errors={"email": "There is no account with that e-mail address."})
        user_id, staff_at = found
        if staff_at and not any(principal.has(org, Role.admin) for org in staff_at):
            return await self._page(request, principal, status_code=403,
                                    errors={"email": "That person is staff of another organizer; ask its admins."})
        ended = await sessions.end_all(user_id)
        await audit("sessions_ended_by_admin", principal.user_id, email, request, sessions=ended)
        return await self._page(request, principal, notice=f"{email} was signed out everywhere "
                                                           f"({ended} session{'s' if ended != 1 else ''} ended).")

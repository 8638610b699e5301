"""Staff check-in pages: lists and live counts, scanner devices (pair, revoke), conflicts."""

from __future__ import annotations

import base64

from litestar import Controller, Request, WebSocket, get, post, websocket
from litestar.channels import ChannelsPlugin
from litestar.exceptions import WebSocketDisconnect
from litestar.params import FromPath
from litestar.response import Redirect, Template

from confops.checkin import devices, lists, offline
from confops.checkin import staff as checkin_staff
from confops.core.auth import STAFF, Role
from confops.web.checkin.live import channel_name
from confops.web.render import page

ROLES = {"access": STAFF, "roles": [Role.checkin, Role.registrar]}


def _user_id(request: Request) -> int | None:
    principal = getattr(request.state, "principal", None)
    return principal.user_id if principal else None


def pairing_qr(url: str) -> str:
    from confops.registration.checkin_qr import qr_png

    return "data:image/png;base64," + base64.b64encode(qr_png(url)).decode()


class StaffCheckin(Controller):
    include_in_schema = False
    opt = ROLES
    path = "/staff/events/{slug:str}/checkin"

    async def _page(self, request: Request, slug: str, **extra) -> Template:
        event = await checkin_staff.event_for_checkin(slug, request.state.principal)
        extra.setdefault("paired", None)
        return page(request, "staff/checkin.html", event=event, **(await checkin_staff.overview(event["id"])), **extra)

    @get("/")
    async def index(self, request: Request, slug: FromPath[str]) -> Template:
        return await self._page(request, slug)

    @get("/counts")
    async def counts(self, request: Request, slug: FromPath[str]) -> dict:
        """Counts per list now (the live page re-reads them when its socket reconnects)."""
        event = await checkin_staff.event_for_checkin(slug, request.state.principal)
        return {str(k): v for k, v in (await lists.counts_of(event["id"])).items()}

    @post("/lists/days")
    async def day_lists(self, request: Request, slug: FromPath[str]) -> Redirect:
        event = await checkin_staff.event_for_checkin(slug, request.state.principal)
        await lists.ensure_day_lists(event["id"])
        return Redirect(f"/staff/events/{slug}/checkin", status_code=303)

    @post("/lists/sessions")
    async def session_list(self, request: Request, slug: FromPath[str]) -> Redirect:
        event = await checkin_staff.event_for_checkin(slug, request.state.principal)
        form = await request.form()
        raw = str(form.get("session_id", ""))
        await lists.create_session_list(event["id"], int(raw) if raw.isdigit() else 0,
                                        track_exit=form.get("track_exit") == "on")
        return Redirect(f"/staff/events/{slug}/checkin", status_code=303)

    @post("/devices", status_code=200)
    async def create_device(self, request: Request, slug: FromPath[str]) -> Template:
        """Pair a device: the token is shown on this answer only (QR + link), never again."""
        event = await checkin_staff.event_for_checkin(slug, request.state.principal)
        form = await request.form()
        ids = [int(v) for v in form.getall("list_ids", []) if str(v).isdigit()]
        device, token = await devices.create_device(event["id"], str(form.get("name", "")), ids, _user_id(request))
        url = f"{request.app.state.settings.base_url.rstrip('/')}/checkin/scanner#device={token}"
        return await self._page(request, slug, paired={"device": device, "token": token, "url": url,
                                                       "qr": pairing_qr(url)})

    @post("/devices/{device_id:int}/revoke")
    async def revoke(self, request: Request, slug: FromPath[str], device_id: FromPath[int]) -> Redirect:
        event = await checkin_staff.event_for_checkin(slug, request.state.principal)
        await devices.revoke_device(event["id"], device_id)
        return Redirect(f"/staff/events/{slug}/checkin", status_code=303)

    @post("/conflicts/{conflict_id:int}/resolve")
    async def resolve(self, request: Request, slug: FromPath[str], conflict_id: FromPath[int]) -> Redirect:
        event = await checkin_staff.event_for_checkin(slug, request.state.principal)
        form = await request.form()
        await offline.resolve_conflict(event["id"], conflict_id, _user_id(request), str(form.get("note", "")))
        return Redirect(f"/staff/events/{slug}/checkin", status_code=303)

    @websocket("/live")
    async def live(self, socket: WebSocket, slug: FromPath[str]) -> None:
        """Count changes as they happen, from every worker (Channels)."""
        from confops.web.access import principal_of

        event = await checkin_staff.event_for_checkin(slug, await principal_of(socket))
        channels = socket.app.plugins.get(ChannelsPlugin)
        await socket.accept()
        async with channels.start_subscription([channel_name(event["id"])]) as subscriber:
            async with subscriber.run_in_background(socket.send_text):
                while True:
                    try:
                        await socket.receive_text()
                    except WebSocketDisconnect:
                        break

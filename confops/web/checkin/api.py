"""The scanner devices' JSON API: scan, undo, search, sync and offline upload.

Every route authenticates the device's bearer token itself (access "device"): a person's
session is neither needed nor enough. A device sees only its event and the lists it was
given; another event's list is 403, an unknown one 404.
"""

from __future__ import annotations

from litestar import Controller, Litestar, Request, get, post
from litestar.params import FromQuery, JSONBody

from confops.checkin import devices, offline, scanning
from confops.checkin.schemas import OfflineBody, OfflineOut, ScanBody, ScanOut, UndoOut
from confops.core import metrics
from confops.core.auth import DEVICE
from confops.core.errors import DomainError, Invalid
from confops.web.access import NO_SESSION
from confops.web.api_docs import SCANNER_SECURITY, problems
from confops.web.checkin.live import publish_delta
from confops.web.checkin.scan_lane import scan_lane


async def _device(request: Request) -> devices.Device:
    return await _device_of(request.headers.get("authorization", ""))


async def _device_of(authorization: str) -> devices.Device:
    scheme, _, bearer = authorization.partition(" ")
    return await devices.device_for_token(bearer.strip() if scheme.lower() == "bearer" else None)


async def _list_or_problem(device: devices.Device, list_id: int):
    """The list, or why this device may not scan on it (each offline scan is judged alone)."""
    try:
        return await devices.list_for_device(device, list_id)
    except DomainError as problem:
        return problem


async def _key(app: Litestar, device: devices.Device):
    return await devices.event_key(device.event_id, app.state.settings.secret_key)


async def answer_scan(app: Litestar, authorization: str, data: ScanBody) -> ScanOut:
    """The scan route's answer, from its Authorization header and body (for the handler below
    and for scan_lane, which takes most scans before the handler would)."""
    device = await _device_of(authorization)
    if (data.token is None) == (data.attendee_id is None):
        raise Invalid("Send either a token or an attendee_id.", field="token")
    lst = await devices.list_for_device(device, data.list_id)
    outcome = await scanning.scan(device, lst, await _key(app, device), nonce=data.nonce, token=data.token,
                                  attendee_id=data.attendee_id, direction=data.direction)
    if outcome.result == scanning.OK and outcome.direction == "in":
        publish_delta(app, device.event_id, lst.id, 1)
    metrics.inc("confops_checkin_scans_total", (outcome.result,))
    return ScanOut(**vars(outcome))


class CheckinApi(Controller):
    path = "/api/v1/checkin"
    tags = ["check-in"]
    # A device is its bearer token; the cookie session (read and re-signed on every request by
    # the session middleware) is never used here, and at a busy door it costs CPU per scan.
    opt = {"access": DEVICE, NO_SESSION: True}
    security = SCANNER_SECURITY

    # scan_lane answers well-formed scans before this handler would (see scan_lane.py); this
    # handler answers the rest, and defines the route and its documentation.
    @post("/scan", status_code=200, middleware=[scan_lane], responses=problems(400, 401, 403, 404, 422))
    async def scan(self, request: Request, data: JSONBody[ScanBody]) -> ScanOut:
        """Scan a badge token (or check in `attendee_id` found by name) on a list. The answer's
        `result` is ok, already_checked_in (with when and station), invalid, wrong_event,
        revoked or unpaid; 401 for a missing or revoked device token, 403 for a list outside
        the device's scope. Repeating a nonce repeats the first answer."""
        return await answer_scan(request.app, request.headers.get("authorization", ""), data)

    @post("/undo", status_code=200, responses=problems(401, 422))
    async def undo(self, request: Request) -> UndoOut:
        """Undo this device's last check-in (a mis-scan); `undone` is false when there is none."""
        device = await _device(request)
        last = await scanning.undo_last(device)
        if last is None:
            return UndoOut(False)
        if last["direction"] == "in":
            publish_delta(request.app, device.event_id, last["checkin_list"], -1)
        return UndoOut(True, last["attendee"], last["checkin_list"])

    @get("/search", responses=problems(400, 401, 403, 404, 422))
    async def search(self, request: Request, list_id: FromQuery[int], q: FromQuery[str] = "") -> dict:
        """People of the device's event by name or e-mail, and whether they are in on this list."""
        device = await _device(request)
        lst = await devices.list_for_device(device, list_id)
        return {"people": await scanning.search(device.event_id, lst.id, q[:100])}

    @get("/sync", responses=problems(401, 422))
    async def sync(self, request: Request) -> dict:
        """What the scanner keeps for offline work: its lists, every attendee's name and current
        token version (the revocation map), and the event's verification key."""
        device = await _device(request)
        await devices.touch(device)
        return await offline.sync_material(device, await _key(request.app, device))

    @post("/offline", status_code=200, responses=problems(400, 401, 422))
    async def upload(self, request: Request, data: JSONBody[OfflineBody]) -> OfflineOut:
        """Upload scans made offline. Each scan is answered on its own: a nonce seen before is a
        `duplicate`; the earliest scan by client time wins; the rest are `conflict`s kept for
        staff review; a scan on a list outside the device's scope (or with a bad nonce) is
        `invalid`, and the others still go in."""
        device = await _device(request)
        lists = {i: await _list_or_problem(device, i) for i in {s.list_id for s in data.scans}}
        results = await offline.upload(device, lists, await _key(request.app, device), [
            offline.QueuedScan(s.nonce, s.list_id, s.token, s.client_time, s.direction) for s in data.scans])
        for r, s in zip(results, sorted(data.scans, key=lambda s: s.client_time), strict=True):
            if r["status"] == offline.ACCEPTED and not r.get("replaced_later_scan") and s.direction == "in":
                publish_delta(request.app, device.event_id, s.list_id, 1)
        counts = {k: sum(1 for r in results if r["status"] == k) for k in
                  (offline.ACCEPTED, offline.DUPLICATE, offline.CONFLICT, offline.INVALID)}
        return OfflineOut(results, counts[offline.ACCEPTED], counts[offline.DUPLICATE], counts[offline.CONFLICT],
                          counts[offline.INVALID])

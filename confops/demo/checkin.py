"""Demo check-in: an entry list for each day of the national meeting, one paired device, and a
first morning of desk check-ins.

The device token is fixed so the demo can be tried at once
(http://127.0.0.1:8000/checkin/scanner#device=dev_demo-registration-desk); the demo, with its
known passwords and this token, is refused in production (confops demo).
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from confops.checkin.devices import device_for_token, hash_token, list_for_device
from confops.checkin.lists import ensure_day_lists, lists_of
from confops.checkin.scanning import scan
from confops.checkin.tables import CheckinList, CheckinScan, ListKind, ScannerDevice
from confops.core import clock
from confops.core.errors import DomainError
from confops.demo.rows import ensure_row
from confops.events.tables import Event
from confops.registration.tables import Attendee

DEMO_DEVICE_TOKEN = "dev_demo-registration-desk"


async def load_checkin_demo() -> int:
    event = await Event.select(Event.id).where(Event.slug == "abs-national-meeting").first()
    if event is None:
        return 0
    before = await CheckinList.count().where(CheckinList.event == event["id"])
    await ensure_day_lists(event["id"])
    made = await CheckinList.count().where(CheckinList.event == event["id"]) - before
    _, created = await ensure_row(ScannerDevice, {"token_hash": hash_token(DEMO_DEVICE_TOKEN)},
                                  {"event": event["id"], "name": "Registration desk", "list_ids": ""})
    return made + int(created)


# the back-office demo's paid registrants, checked in at the desk on the first morning
ARRIVALS = [("amara.okafor", 7, 41), ("ben.carter", 7, 48), ("chloe.dubois", 7, 52), ("diego.santos", 8, 3),
            ("eun.park", 8, 9), ("fatima.haddad", 8, 17), ("gus.lindqvist", 8, 31), ("hana.sato", 8, 52)]


async def load_checkin_scans_demo() -> int:
    """A first morning at the registration desk, so the dashboard's check-in curve and the
    check-ins export show something: desk check-ins by name through the check-in service, at
    their times on the meeting's first day. Loaded after the back-office demo (its people);
    the fixed nonces and "first scan wins" make a reload record nothing new."""
    event = await Event.select(Event.id, Event.starts_at, Event.timezone).where(
        Event.slug == "abs-national-meeting").first()
    if event is None:
        return 0
    first_day = next((lst for lst in await lists_of(event["id"]) if lst["kind"] == ListKind.entry.value), None)
    if first_day is None:
        return 0
    try:
        device = await device_for_token(DEMO_DEVICE_TOKEN)
        entry = await list_for_device(device, first_day["id"])
    except DomainError:  # staff revoked or narrowed the demo device: leave the scans alone
        return 0
    zone = ZoneInfo(event["timezone"] or "UTC")
    day = event["starts_at"].astimezone(zone).date()
    before = await CheckinScan.count().where(CheckinScan.checkin_list == entry.id)
    for key, hh, mm in ARRIVALS:
        person = await Attendee.select(Attendee.id).where(
            (Attendee.event == event["id"]) & (Attendee.email == f"{key}@example.org")).first()
        if person is None:
            continue
        with clock.frozen_at(datetime.combine(day, time(hh, mm), tzinfo=zone)):
            await scan(device, entry, None, nonce=f"demo-{person['id']}", attendee_id=person["id"])
    return await CheckinScan.count().where(CheckinScan.checkin_list == entry.id) - before

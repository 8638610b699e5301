"""Demo check-in: an entry list for each day of the national meeting and one paired device.

The device token is fixed so the demo can be tried at once
(http://127.0.0.1:8000/checkin/scanner#device=dev_demo-registration-desk); the demo, with its
known passwords and this token, is refused in production (confops demo).
"""

from __future__ import annotations

from confops.checkin.devices import hash_token
from confops.checkin.lists import ensure_day_lists
from confops.checkin.tables import CheckinList, ScannerDevice
from confops.demo.rows import ensure_row
from confops.events.tables import Event

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

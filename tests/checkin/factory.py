"""An event with people ready to scan: orders and attendees written directly (fast), a day list,
a session list and a scanner device."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from confops.checkin import devices, lists, service
from confops.checkin.tables import CheckinList
from confops.events.tables import Event, Session
from confops.registration.tables import Attendee, Category, Order
from tests.conftest import TEST_SECRET
from tests.registration.factory import make_event


@dataclass
class Door:
    event_id: int
    entry_list: int
    session_list: int
    device: dict
    device_token: str
    people: list[int]

    async def token(self, attendee_id: int) -> str:
        key = await service.event_key(self.event_id, TEST_SECRET)
        row = await Attendee.select(Attendee.token_version).where(Attendee.id == attendee_id).first()
        return service.issue_token(key, attendee_id, row["token_version"])


async def add_people(event_id: int, n: int, *, order_status: str = "confirmed", total_cents: int = 0,
                     first: str = "Guest", accessibility: str = "") -> list[int]:
    category = await Category.select(Category.id).where(Category.event == event_id).first()
    ids = []
    for i in range(n):
        order = await Order.insert(Order(
            event=event_id, buyer_name="Buyer", buyer_email=f"b{i}@example.org", status=order_status,
            total_cents=total_cents, idempotency_key=secrets.token_hex(8), pricing_snapshot="{}",
            token_hash=secrets.token_hex(8))).returning(Order.id)
        made = await Attendee.insert(Attendee(
            order=order[0]["id"], event=event_id, category=category["id"], first_name=f"{first}{i}",
            last_name=f"Person{i:03d}", email=f"p{i}@example.org", checkin_code=secrets.token_hex(8),
            accessibility=accessibility)).returning(Attendee.id)
        ids.append(made[0]["id"])
    return ids


async def make_door(n: int = 3, slug: str = "meeting") -> Door:
    devices.forget_cached()
    event_id = await make_event(slug=slug, starts_in_days=1)
    day_lists = await lists.ensure_day_lists(event_id)
    event = await Event.select(Event.starts_at).where(Event.id == event_id).first()
    session = await Session.insert(Session(event=event_id, code="P1", title="Plenary", kind="plenary",
                                           starts_at=event["starts_at"], ends_at=event["starts_at"]
                                           )).returning(Session.id)
    session_list = await lists.create_session_list(event_id, session[0]["id"], track_exit=True)
    device, token = await devices.create_device(event_id, "Door A", [], None)
    people = await add_people(event_id, n)
    entry = [r for r in day_lists if r["kind"] == "entry"][0]["id"]
    assert await CheckinList.count().where(CheckinList.event == event_id) >= 2
    return Door(event_id, entry, session_list["id"], device, token, people)

"""Scanning through the service on both engines: every outcome, first scan wins, undo, CME events."""

import secrets

import pytest

from confops.checkin import devices, offline, scanning
from confops.checkin.tables import CheckinConflict, CheckinScan
from confops.core import extension
from confops.events.tables import Event
from confops.registration.tables import Attendee, Order
from tests.checkin.factory import add_people, make_door
from tests.conftest import TEST_SECRET


async def _scan(door, token=None, list_id=None, nonce=None, attendee_id=None, direction="in", bearer=None):
    device = await devices.device_for_token(bearer or door.device_token)
    lst = await devices.list_for_device(device, list_id or door.entry_list)
    key = await devices.event_key(device.event_id, TEST_SECRET)
    return await scanning.scan(device, lst, key, nonce=nonce or secrets.token_hex(6), token=token,
                               attendee_id=attendee_id, direction=direction)


async def test_ok_then_already_checked_in_with_when_and_where(db):
    door = await make_door(2)
    token = await door.token(door.people[0])
    first = await _scan(door, token)
    assert first.result == "ok" and first.name == "Guest0 Person000" and first.station == "Door A"
    again = await _scan(door, token)
    assert again.result == "already_checked_in"
    assert again.station == "Door A" and again.checked_in_at == first.checked_in_at
    assert await CheckinScan.count() == 1


async def test_the_same_nonce_twice_is_one_scan_with_the_same_answer(db):
    door = await make_door(1)
    token = await door.token(door.people[0])
    a = await _scan(door, token, nonce="n-1")
    b = await _scan(door, token, nonce="n-1")
    assert a.result == b.result == "ok" and a.scan_id == b.scan_id
    assert await CheckinScan.count() == 1


async def test_refusals_invalid_wrong_event_revoked_unpaid(db):
    door = await make_door(2)
    token = await door.token(door.people[0])
    assert (await _scan(door, token[:-1] + str((int(token[-1]) + 1) % 10))).result == "invalid"
    assert (await _scan(door, "hello")).result == "invalid"
    other = await make_door(1, slug="other")
    assert (await _scan(door, await other.token(other.people[0]))).result == "wrong_event"
    await Attendee.update({Attendee.token_version: 2}).where(Attendee.id == door.people[0])
    assert (await _scan(door, token)).result == "revoked"
    unpaid = (await add_people(door.event_id, 1, order_status="awaiting_payment", total_cents=87500))[0]
    result = await _scan(door, await door.token(unpaid))
    assert result.result == "unpaid" and "balance due $875.00" in result.notes
    assert await CheckinScan.count() == 0


async def test_cancelled_order_and_full_refund_are_revoked(db):
    from confops.payments.tables import Payment, Refund

    door = await make_door(2)
    a, b = door.people
    await Order.update({Order.status: "cancelled"}).where(
        Order.id == (await Attendee.select(Attendee.order).where(Attendee.id == a).first())["order"])
    assert (await _scan(door, await door.token(a))).result == "revoked"
    order_b = (await Attendee.select(Attendee.order).where(Attendee.id == b).first())["order"]
    await Order.update({Order.total_cents: 5000}).where(Order.id == order_b)
    paid = await Payment.insert(Payment(order=order_b, amount_cents=5000, status="succeeded", provider="manual",
                                        provider_id="manual-1")).returning(Payment.id)
    assert (await _scan(door, await door.token(b))).result == "ok"
    await scanning.undo_last(await devices.device_for_token(door.device_token))
    await Refund.insert(Refund(order=order_b, payment=paid[0]["id"], amount_cents=5000, provider_id="manual-r1"))
    assert (await _scan(door, await door.token(b))).result == "revoked"


async def test_notes_balance_due_and_accessibility(db):
    door = await make_door(0)
    [aid] = await add_people(door.event_id, 1, total_cents=10000, accessibility="wheelchair user")
    result = await _scan(door, await door.token(aid))
    assert result.result == "ok"
    assert result.notes == ["balance due $100.00", "accessibility: wheelchair user"]


async def test_undo_lets_the_person_be_scanned_again(db):
    door = await make_door(1)
    token = await door.token(door.people[0])
    assert (await _scan(door, token)).result == "ok"
    undone = await scanning.undo_last(await devices.device_for_token(door.device_token))
    assert undone["attendee"] == door.people[0] and undone["direction"] == "in"
    assert (await _scan(door, token)).result == "ok"
    assert await CheckinScan.count() == 2


async def test_search_by_name_and_desk_check_in(db):
    door = await make_door(3)
    found = await scanning.search(door.event_id, door.entry_list, "person001")
    assert [f["name"] for f in found] == ["Guest1 Person001"] and found[0]["checked_in_at"] is None
    assert (await _scan(door, attendee_id=found[0]["attendee_id"])).result == "ok"
    found = await scanning.search(door.event_id, door.entry_list, "Person001")
    assert found[0]["station"] == "Door A"


async def test_accepted_scans_emit_inside_the_transaction(db):
    door = await make_door(2)
    seen = []

    async def listener(**payload):
        seen.append((await CheckinScan.count(), payload))

    extension._load()
    extension._providers["session_scan_accepted"].append(listener)
    extension._providers["entry_scan_accepted"].append(listener)
    try:
        await _scan(door, await door.token(door.people[0]))
        await _scan(door, await door.token(door.people[0]), list_id=door.session_list)
        await _scan(door, await door.token(door.people[0]), list_id=door.session_list, direction="out")
        await _scan(door, await door.token(door.people[0]), list_id=door.session_list)  # repeat: no event
    finally:
        extension._providers["session_scan_accepted"].remove(listener)
        extension._providers["entry_scan_accepted"].remove(listener)
    assert [p["list_id"] for _, p in seen] == [door.entry_list, door.session_list, door.session_list]
    assert seen[0][1]["event_id"] == door.event_id and "session_id" not in seen[0][1]
    assert [p.get("direction") for _, p in seen[1:]] == ["in", "out"]
    assert [n for n, _ in seen] == [1, 2, 3]  # the row is visible: same transaction


async def test_at_a_cme_event_a_failing_listener_takes_the_scan_back(db):
    # CME evidence and the check-in change together: if recording the evidence fails, the
    # person is not checked in either, and the next scan tries both again.
    door = await make_door(1)
    await Event.update({Event.cme_enabled: True}).where(Event.id == door.event_id)

    async def failing(**_):
        raise RuntimeError("evidence store unavailable")

    extension._load()
    extension._providers["entry_scan_accepted"].append(failing)
    try:
        with pytest.raises(RuntimeError):
            await _scan(door, await door.token(door.people[0]))
    finally:
        extension._providers["entry_scan_accepted"].remove(failing)
    assert await CheckinScan.count() == 0
    assert (await _scan(door, await door.token(door.people[0]))).result == "ok"
    assert await CheckinScan.count() == 1


async def test_two_offline_stations_one_check_in_one_conflict_earliest_wins(db):
    from datetime import timedelta

    from confops.core import clock

    door = await make_door(1)
    second, token_b = await devices.create_device(door.event_id, "Door B", [], None)
    badge = await door.token(door.people[0])
    dev_a = await devices.device_for_token(door.device_token)
    dev_b = await devices.device_for_token(token_b)
    lst = await devices.list_for_device(dev_a, door.entry_list)
    key = await devices.event_key(door.event_id, TEST_SECRET)
    t0 = clock.now() - timedelta(minutes=10)
    # Door B scanned later but uploads first; Door A's earlier scan must win.
    b = await offline.upload(dev_b, {lst.id: lst}, key, [offline.QueuedScan("b1", lst.id, badge, t0 + timedelta(seconds=40))])
    a = await offline.upload(dev_a, {lst.id: lst}, key, [offline.QueuedScan("a1", lst.id, badge, t0)])
    assert b[0]["status"] == "accepted" and a[0]["status"] == "accepted"
    again = await offline.upload(dev_a, {lst.id: lst}, key, [offline.QueuedScan("a1", lst.id, badge, t0)])
    assert again[0]["status"] == "duplicate"
    scans = await CheckinScan.select()
    conflicts = await CheckinConflict.select()
    assert len(scans) == 1 and scans[0]["station"] == "Door A" and scans[0]["offline"]
    assert len(conflicts) == 1 and conflicts[0]["station"] == "Door B"
    assert conflicts[0]["reason"] == "already_checked_in" and conflicts[0]["winner"] == scans[0]["id"]
    listed = await scanning.conflicts_of(door.event_id)
    assert listed[0]["winner_station"] == "Door A" and listed[0]["last_name"] == "Person000"
    await offline.resolve_conflict(door.event_id, listed[0]["id"], None, "same person, let in once")
    assert await scanning.conflicts_of(door.event_id) == []


async def test_offline_scans_emit_with_the_client_time_and_the_earlier_scan_wins(db):
    from datetime import timedelta

    from confops.core import clock

    door = await make_door(1)
    _, token_b = await devices.create_device(door.event_id, "Door B", [], None)
    badge = await door.token(door.people[0])
    dev_a, dev_b = await devices.device_for_token(door.device_token), await devices.device_for_token(token_b)
    lst = await devices.list_for_device(dev_a, door.session_list)
    key = await devices.event_key(door.event_id, TEST_SECRET)
    seen = []

    async def listener(**payload):
        seen.append(payload)

    extension._load()
    extension._providers["session_scan_accepted"].append(listener)
    t0 = (clock.now() - timedelta(minutes=30)).replace(microsecond=0)
    try:
        await offline.upload(dev_b, {lst.id: lst}, key, [offline.QueuedScan("b", lst.id, badge, t0 + timedelta(minutes=2))])
        await offline.upload(dev_a, {lst.id: lst}, key, [offline.QueuedScan("a", lst.id, badge, t0)])
    finally:
        extension._providers["session_scan_accepted"].remove(listener)
    assert [(p["scanned_at"], p["direction"], p["list_id"]) for p in seen] == [
        (t0 + timedelta(minutes=2), "in", lst.id), (t0, "in", lst.id)]
    assert (await CheckinScan.select(CheckinScan.scanned_at).first())["scanned_at"] == t0

"""A scan always points at a list and a device that exist, on both engines.

SQLite keeps this with foreign keys; PostgreSQL with triggers that lock no shared row
(migration 2026-12-01T14:40:00 says why). Both are held to the same rules here, and on
PostgreSQL a scan and a delete that meet are made to wait for each other."""

import asyncio
import sqlite3
from datetime import UTC, datetime

import asyncpg
import pytest

from confops.checkin.tables import CheckinList, CheckinScan, ScannerDevice
from tests.checkin.factory import make_door
from tests.checkin.test_scanning import _scan

REFUSED = (sqlite3.IntegrityError, asyncpg.ForeignKeyViolationError)
INSERT_SCAN = ("INSERT INTO checkin_scan (checkin_list, attendee, device, station, direction, scanned_at, received_at,"
               " offline, manual, nonce_key) VALUES ($1, $2, $3, 'Door A', 'in', now(), now(), false, false, 'n:1')")


async def _scanned_door():
    door = await make_door(2)
    assert (await _scan(door, await door.token(door.people[0]))).result == "ok"
    return door


def _scan_row(door, *, list_id: int, device_id: int | None, nonce: str) -> CheckinScan:
    now = datetime.now(UTC)
    return CheckinScan(checkin_list=list_id, attendee=door.people[1], device=device_id, station="Door A",
                       direction="in", scanned_at=now, received_at=now, nonce_key=nonce, once_key=None)


async def test_a_list_or_device_with_scans_cannot_be_deleted(db):
    door = await _scanned_door()
    with pytest.raises(REFUSED):
        await CheckinList.delete().where(CheckinList.id == door.entry_list)
    with pytest.raises(REFUSED):
        await ScannerDevice.delete().where(ScannerDevice.id == door.device["id"])
    assert await CheckinList.exists().where(CheckinList.id == door.entry_list)
    assert await ScannerDevice.exists().where(ScannerDevice.id == door.device["id"])
    assert await CheckinScan.count() == 1


async def test_a_list_or_device_without_scans_can_be_deleted(db):
    door = await make_door(1)
    await CheckinList.delete().where(CheckinList.id == door.session_list)
    await ScannerDevice.delete().where(ScannerDevice.id == door.device["id"])
    assert not await CheckinList.exists().where(CheckinList.id == door.session_list)
    assert not await ScannerDevice.exists().where(ScannerDevice.id == door.device["id"])


async def test_a_scan_for_a_list_or_device_that_does_not_exist_is_refused(db):
    door = await make_door(2)
    with pytest.raises(REFUSED):
        await CheckinScan.insert(_scan_row(door, list_id=door.entry_list + 1000, device_id=door.device["id"],
                                           nonce="x:1"))
    with pytest.raises(REFUSED):
        await CheckinScan.insert(_scan_row(door, list_id=door.entry_list, device_id=door.device["id"] + 1000,
                                           nonce="x:2"))
    manual = await CheckinScan.insert(_scan_row(door, list_id=door.entry_list, device_id=None, nonce="x:3")
                                      ).returning(CheckinScan.id)  # a desk check-in has no device
    with pytest.raises(REFUSED):
        await CheckinScan.update({CheckinScan.checkin_list: door.entry_list + 1000}).where(
            CheckinScan.id == manual[0]["id"])
    assert await CheckinScan.count() == 1
    assert (await CheckinScan.select(CheckinScan.checkin_list).first())["checkin_list"] == door.entry_list


async def test_renumbering_a_list_or_device_carries_its_scans(db):
    door = await _scanned_door()
    await CheckinList.update({CheckinList.id: 9001}).where(CheckinList.id == door.entry_list)
    await ScannerDevice.update({ScannerDevice.id: 9002}).where(ScannerDevice.id == door.device["id"])
    scan = await CheckinScan.select(CheckinScan.checkin_list, CheckinScan.device).first()
    assert scan == {"checkin_list": 9001, "device": 9002}


async def _waits_then_is_refused(pg_db, held: tuple, waiting: tuple, why: str) -> None:
    """`held` (SQL and its arguments) runs in a transaction left open on one session; `waiting`,
    on another, must wait for it, and be refused once it commits."""
    holder, waiter = await asyncpg.connect(pg_db.url), await asyncpg.connect(pg_db.url)
    try:
        open_transaction = holder.transaction()
        await open_transaction.start()
        await holder.execute(*held)
        pending = asyncio.create_task(waiter.execute(*waiting))
        await asyncio.sleep(0.3)
        assert not pending.done(), why
        await open_transaction.commit()
        with pytest.raises(asyncpg.ForeignKeyViolationError):
            await pending
    finally:
        await holder.close()
        await waiter.close()


async def test_a_delete_waits_for_a_scan_being_written_then_is_refused(pg_db):
    door = await make_door(2)
    await _waits_then_is_refused(
        pg_db, held=(INSERT_SCAN, door.entry_list, door.people[0], door.device["id"]),
        waiting=("DELETE FROM checkin_list WHERE id = $1", door.entry_list),
        why="the delete must wait for the scan being written")
    assert await CheckinList.exists().where(CheckinList.id == door.entry_list)
    assert await CheckinScan.count() == 1


async def test_a_scan_waits_for_a_delete_in_progress_then_is_refused(pg_db):
    door = await make_door(2)
    await _waits_then_is_refused(
        pg_db, held=("DELETE FROM checkin_list WHERE id = $1", door.session_list),
        waiting=(INSERT_SCAN, door.session_list, door.people[0], door.device["id"]),
        why="the scan must wait for the delete in progress")
    assert await CheckinScan.count() == 0

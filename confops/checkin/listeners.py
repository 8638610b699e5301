"""What check-in gives other areas (confops/core/extension.py): the dashboard's check-in curves
and the check-ins export."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from confops.checkin.tables import CheckinList, CheckinScan
from confops.core.extension import ExportSource, Panel, provides
from confops.core.paging import chunks
from confops.events.tables import Event


async def _scans(event_id: int) -> list[dict]:
    return await CheckinScan.select(
        CheckinScan.checkin_list, CheckinScan.checkin_list.name.as_alias("list_name"), CheckinScan.scanned_at,
        CheckinScan.station, CheckinScan.direction, CheckinScan.offline, CheckinScan.manual,
        CheckinScan.attendee.first_name.as_alias("first_name"), CheckinScan.attendee.last_name.as_alias("last_name"),
    ).where((CheckinScan.checkin_list.event == event_id) & CheckinScan.undone_at.is_null()).order_by(
        CheckinScan.scanned_at)


async def _zone(event_id: int) -> ZoneInfo:
    row = await Event.select(Event.timezone).where(Event.id == event_id).first()
    return ZoneInfo((row or {}).get("timezone") or "UTC")


@provides("dashboard_panels")
async def checkin_curves(event_id: int) -> list[Panel]:
    """Per list, people checked in so far against time (cumulative, in the event's time zone)."""
    zone = await _zone(event_id)
    lists = await CheckinList.select(CheckinList.id, CheckinList.name).where(
        CheckinList.event == event_id).order_by(CheckinList.id)
    scans = [s for s in await _scans(event_id) if s["direction"] == "in"]
    panels = []
    for lst in lists:
        points, n = [], 0
        for s in scans:
            if s["checkin_list"] == lst["id"]:
                n += 1
                points.append((s["scanned_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M"), n))
        panels.append(Panel(key=f"checkin-{lst['id']}", title=f"Check-ins: {lst['name']}", kind="line",
                            data=points, note=f"{n} checked in"))
    return panels


async def _checkin_rows(event_id: int):
    zone = await _zone(event_id)
    where = (CheckinScan.checkin_list.event == event_id) & CheckinScan.undone_at.is_null()

    def select(after):
        return CheckinScan.select(
            CheckinScan.id, CheckinScan.checkin_list.name.as_alias("list_name"), CheckinScan.scanned_at,
            CheckinScan.station, CheckinScan.direction, CheckinScan.offline, CheckinScan.manual,
            CheckinScan.attendee.first_name.as_alias("first_name"),
            CheckinScan.attendee.last_name.as_alias("last_name"),
        ).where(where if after is None else where & after).order_by(CheckinScan.scanned_at, CheckinScan.id)

    async def rows():
        async for scans in chunks(select, (('"checkin_scan"."scanned_at"', "scanned_at"),
                                           ('"checkin_scan"."id"', "id"))):
            yield [[f"{s['first_name']} {s['last_name']}", s["list_name"],
                    s["scanned_at"].astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"), s["station"], s["direction"],
                    "offline" if s["offline"] else ("desk, by name" if s["manual"] else "scan")] for s in scans]
    return ["Name", "List", "Time", "Station", "Direction", "How"], rows()


@provides("export_sources")
async def checkin_export(event_id: int) -> list[ExportSource]:
    return [ExportSource(key="checkins", title="Check-ins", build=_checkin_rows)]

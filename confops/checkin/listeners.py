"""What check-in gives other areas (confops/core/extension.py): the signed check-in tokens that
registration's mail and order page show as QR codes, the dashboard's check-in curves, the
check-ins export, and whether this host's secret key opens the check-in keys (/health)."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from confops.checkin import tallies
from confops.checkin.keys import unseal
from confops.checkin.service import event_key, issue_token
from confops.checkin.tables import CheckinList, CheckinScan, EventSigningKey
from confops.core.extension import ExportSource, Panel, provides
from confops.core.paging import chunks
from confops.core.time_buckets import bucket_start
from confops.events.tables import Event
from confops.registration.config import CONFIG


async def _zone(event_id: int) -> ZoneInfo:
    row = await Event.select(Event.timezone).where(Event.id == event_id).first()
    return ZoneInfo((row or {}).get("timezone") or "UTC")


@provides("checkin_tokens")
async def signed_tokens(event_id: int, attendees: list[dict]) -> dict[int, str]:
    """The event key is created on first use, sealed under the secret key."""
    key = await event_key(event_id, CONFIG.secret)
    return {a["id"]: issue_token(key, a["id"], a["token_version"]) for a in attendees}



@provides("event_copied")
async def copy_lists(*, source_id: int, event_id: int, days: int, sessions: dict, **_) -> None:
    from confops.checkin.lists import copy_lists as copy

    await copy(source_id, event_id, days, sessions)


@provides("dashboard_panels")
async def checkin_curves(event_id: int) -> list[Panel]:
    """Per list, people checked in so far against time (cumulative, in the event's time zone),
    one point per 15 minutes with check-ins: from the running count per slot the database keeps
    (checkin/tallies.py), so a door of 5,000 scans draws a few dozen points from as many rows."""
    zone = await _zone(event_id)
    lists = await CheckinList.select(CheckinList.id, CheckinList.name).where(
        CheckinList.event == event_id).order_by(CheckinList.id)
    counts: dict[int, list[tuple[int, int]]] = {}
    for (lst, slot), n in sorted((await tallies.counts(event_id)).items()):
        counts.setdefault(lst, []).append((slot, n))
    panels = []
    for lst in lists:
        points, n = [], 0
        for number, added in counts.get(lst["id"], []):
            n += added
            points.append((_clock_time(bucket_start(number, tallies.BUCKET_MINUTES).astimezone(zone)), n))
        panels.append(Panel(key=f"checkin-{lst['id']}", title=f"Check-ins: {lst['name']}", kind="line",
                            data=points, note=f"{n} checked in"))
    return panels


def _clock_time(moment) -> str:
    """"7:30 am" as people read a clock (a list is one day's door; its name says the day)."""
    return moment.strftime("%-I:%M %p").lower()


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


@provides("secret_key_opens")
async def secret_key_opens(*, secret_keys: tuple[str, ...]) -> tuple[bool, str]:
    row = await EventSigningKey.select().order_by(EventSigningKey.id, ascending=False).first()
    if row is None:
        return True, "nothing sealed yet"
    for key in secret_keys:
        try:
            unseal(row["event"], row["generation"], row["key_sealed"], key)
        except ValueError:
            continue
        return True, "opens the stored check-in keys"
    return False, ("does not open the stored check-in keys: this host's CONFOPS_SECRET_KEY "
                   "differs from the one that sealed them")

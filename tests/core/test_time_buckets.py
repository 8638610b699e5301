"""Charts summarise in the database (issue 29): the day and 15-minute slot SQL of each engine put
times where their Python form says, so the dashboard's curves have one point per slot."""

import uuid
from datetime import UTC, datetime

from confops.backoffice.dashboard import dashboard
from confops.checkin.listeners import checkin_curves
from confops.checkin.tables import CheckinList, CheckinScan
from confops.core.time_buckets import bucket_start
from confops.events.tables import Event
from confops.registration.tables import Attendee

SLUG = "abs-national-meeting"


async def test_scans_are_counted_per_quarter_hour_and_registrations_per_utc_day(demo):
    event = await Event.select(Event.id, Event.timezone).where(Event.slug == SLUG).first()
    await Event.update({Event.timezone: "UTC"}).where(Event.id == event["id"])
    lst = (await CheckinList.insert(CheckinList(event=event["id"], name="Bucket door", kind="entry"))
           .returning(CheckinList.id))[0]
    people = await Attendee.select(Attendee.id).where(Attendee.event == event["id"]).limit(5)
    times = [datetime(2027, 3, 4, 8, 0, 0, tzinfo=UTC), datetime(2027, 3, 4, 8, 14, 59, 999000, tzinfo=UTC),
             datetime(2027, 3, 4, 8, 15, 0, tzinfo=UTC), datetime(2027, 3, 4, 9, 59, 0, tzinfo=UTC)]
    await CheckinScan.insert(*[CheckinScan(checkin_list=lst["id"], attendee=p["id"], station="Desk", scanned_at=t,
                                           nonce_key=uuid.uuid4().hex) for p, t in zip(people, times, strict=False)])
    undone = CheckinScan(checkin_list=lst["id"], attendee=people[4]["id"], station="Desk", scanned_at=times[0],
                         nonce_key=uuid.uuid4().hex, undone_at=times[1])
    await undone.save()
    [curve] = [p for p in await checkin_curves(event["id"]) if p.title == "Check-ins: Bucket door"]
    assert curve.data == [("8:00 am", 2), ("8:15 am", 3), ("9:45 am", 4)]  # as a clock reads, in the event's zone
    assert bucket_start(0, 15) == datetime(1970, 1, 1, tzinfo=UTC)

    confirmed = await Attendee.select(Attendee.id).where(
        (Attendee.event == event["id"]) & (Attendee.order.status == "confirmed") & (Attendee.status == "active")
    ).limit(2)
    late, early = datetime(2027, 1, 9, 23, 59, 59, tzinfo=UTC), datetime(2027, 1, 10, 0, 0, 1, tzinfo=UTC)
    await Attendee.update({Attendee.created_at: late}).where(Attendee.id == confirmed[0]["id"])
    await Attendee.update({Attendee.created_at: early}).where(Attendee.id == confirmed[1]["id"])
    board = await dashboard(event["id"])
    days = dict(board.over_time)
    assert days[late.date()] - days[max(d for d in days if d < late.date())] == 1
    assert days[early.date()] - days[late.date()] == 1
    assert board.over_time[-1][1] == board.registered == sum(n for _, n in board.by_category)


async def test_the_curves_follow_every_write_of_a_scan_and_agree_with_the_rows(demo):
    """Scans written one by one or many to a statement, undone, moved to an earlier time (an
    offline scan arriving late), turned "out", moved to another list or deleted (/admin): the
    curves say what the rows say, and `confops check` finds no difference."""
    from datetime import timedelta

    from confops.checkin import tallies

    event = await Event.select(Event.id, Event.timezone).where(Event.slug == SLUG).first()
    await Event.update({Event.timezone: "UTC"}).where(Event.id == event["id"])
    door, hall = [(await CheckinList.insert(CheckinList(event=event["id"], name=name, kind="entry"))
                   .returning(CheckinList.id))[0]["id"] for name in ("Tally door", "Tally hall")]
    people = await Attendee.select(Attendee.id).where(Attendee.event == event["id"]).limit(6)
    at = datetime(2027, 3, 4, 8, 5, tzinfo=UTC)

    async def curves() -> dict[str, list]:
        assert await tallies.differences(event["id"]) == []
        return {p.title: p.data for p in await checkin_curves(event["id"]) if p.title.startswith("Check-ins: Tally")}

    await CheckinScan.insert(*[CheckinScan(checkin_list=door, attendee=p["id"], station="Desk",
                                           scanned_at=at + timedelta(minutes=10 * i), nonce_key=uuid.uuid4().hex)
                               for i, p in enumerate(people[:4])])
    assert (await curves())["Check-ins: Tally door"] == [("8:00 am", 1), ("8:15 am", 3), ("8:30 am", 4)]
    first, second, third, fourth = await CheckinScan.select(CheckinScan.id).where(
        CheckinScan.checkin_list == door).order_by(CheckinScan.scanned_at)
    await CheckinScan.update({CheckinScan.undone_at: at}).where(CheckinScan.id == second["id"])
    assert (await curves())["Check-ins: Tally door"] == [("8:00 am", 1), ("8:15 am", 2), ("8:30 am", 3)]
    await CheckinScan.update({CheckinScan.scanned_at: at - timedelta(hours=1)}).where(CheckinScan.id == fourth["id"])
    assert (await curves())["Check-ins: Tally door"] == [("7:00 am", 1), ("8:00 am", 2), ("8:15 am", 3)]
    await CheckinScan.update({CheckinScan.direction: "out"}).where(CheckinScan.id == third["id"])
    await CheckinScan.update({CheckinScan.checkin_list: hall}).where(CheckinScan.id == first["id"])
    assert await curves() == {"Check-ins: Tally door": [("7:00 am", 1)], "Check-ins: Tally hall": [("8:00 am", 1)]}
    await CheckinScan.update({CheckinScan.undone_at: None}).where(CheckinScan.id == second["id"])
    await CheckinScan.delete().where(CheckinScan.id == fourth["id"])
    assert await curves() == {"Check-ins: Tally door": [("8:15 am", 1)], "Check-ins: Tally hall": [("8:00 am", 1)]}

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

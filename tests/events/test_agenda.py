from datetime import UTC, datetime, timedelta

from confops.events.agenda import build_agenda
from confops.events.schemas import SessionOut


def _s(i, start, minutes=60, room=None, code=""):
    return SessionOut(id=i, code=code or f"S{i}", title=f"t{i}", abstract="", kind="workshop", starts_at=start,
                      ends_at=start + timedelta(minutes=minutes), room=room, track=None, capacity=None,
                      credit_quarters=4, credit=1.0, speakers=[])


def test_days_are_local_to_the_event_not_utc():
    # 23:30 in Los Angeles is the next day in UTC; it belongs to the local day.
    late = datetime(2027, 4, 23, 6, 30, tzinfo=UTC)  # = 23:30 PDT on April 22
    days = build_agenda([_s(1, late)], "America/Los_Angeles")
    assert [d.day.isoformat() for d in days] == ["2027-04-22"]
    assert days[0].slots[0].starts_at.hour == 23


def test_parallel_sessions_share_a_slot_in_room_order():
    t = datetime(2027, 4, 22, 20, 0, tzinfo=UTC)
    days = build_agenda([_s(1, t, room="Spruce"), _s(2, t, room="Cedar"), _s(3, t + timedelta(hours=2), room="Hall")],
                        "UTC", room_order=["Hall", "Cedar", "Spruce"])
    first, second = days[0].slots
    assert first.parallel and [s.room for s in first.sessions] == ["Cedar", "Spruce"]
    assert not second.parallel


def test_empty_program_has_no_days():
    assert build_agenda([], "UTC") == []

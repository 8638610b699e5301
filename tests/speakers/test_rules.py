"""Pure rules: disclosure validation, upload sniffing, schedule conflicts, iCalendar output."""

import io
import zipfile
from datetime import UTC, datetime, timedelta

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image

from confops.core import clock
from confops.core.errors import Invalid
from confops.events import calendar
from confops.events.schedule_rules import Planned, conflicts
from confops.speakers import uploads
from confops.speakers.disclosures import check_relationships
from confops.speakers.portal import check_session_edit

NOW = datetime(2026, 11, 23, 12, tzinfo=UTC)


def _fields(exc) -> dict:
    return exc.value.field_messages()


def test_disclosure_needs_attestation_a_nature_from_the_list_and_the_24_month_window():
    with clock.frozen_at(NOW):
        ok = check_relationships("relationships", [
            {"company": " Acme ", "nature": "consultant", "ongoing": True, "ended_on": "2020-01"},
            {"company": "Beta", "nature": "royalties_patent", "ongoing": False, "ended_on": "2025-01"},
        ], True)
        assert ok[0] == {"company": "Acme", "nature": "consultant", "ongoing": True, "ended_on": ""}
        with pytest.raises(Invalid) as exc:
            check_relationships("relationships", [
                {"company": "", "nature": "golfing", "ongoing": False, "ended_on": "2024-10"},
                {"company": "Old", "nature": "speaker", "ongoing": False, "ended_on": "2024-11"},
                {"company": "Later", "nature": "speaker", "ongoing": False, "ended_on": "2027-01"},
            ], False)
        fields = _fields(exc)
        assert {"attest", "company_0", "nature_0", "ended_on_0", "ended_on_2"} <= set(fields)
        assert "ended_on_1" not in fields  # November 2024 is still inside 24 months
        assert "24 months" in fields["ended_on_0"]
        with pytest.raises(Invalid) as exc:
            check_relationships("relationships", [], True)
        assert "company_0" in _fields(exc)
        with pytest.raises(Invalid) as exc:
            check_relationships("none", [{"company": "X", "nature": "speaker", "ongoing": True}], True)
        assert "kind" in _fields(exc)
        assert check_relationships("none", [], True) == []
        assert check_relationships("refused", [], False) == []  # nothing to attest when declining


def test_cme_sessions_need_three_learning_objectives():
    values = {"title": "T", "abstract": "", "learning_objectives": "One\n- Two\n\n", "format": "", "av_needs": ""}
    with pytest.raises(Invalid) as exc:
        check_session_edit(values, is_cme=True)
    assert "at least 3" in _fields(exc)["learning_objectives"]
    assert check_session_edit(values, is_cme=False)["title"] == "T"
    assert check_session_edit({**values, "learning_objectives": "One\nTwo\nThree"}, is_cme=True)


def _docx_like(folder: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr(f"{folder}/document.xml", "<x/>")
    return out.getvalue()


def test_materials_are_recognised_by_their_bytes():
    assert uploads.sniff_material(b"%PDF-1.7\n...") == "pdf"
    assert uploads.sniff_material(_docx_like("word")) == "docx"
    assert uploads.sniff_material(_docx_like("ppt")) == "pptx"
    assert uploads.sniff_material(_docx_like("xl")) is None  # a spreadsheet is not accepted
    assert uploads.sniff_material(b"MZ\x90\x00 not a pdf") is None
    assert uploads.sniff_material(b"PK\x03\x04broken") is None


async def test_photos_are_re_encoded_and_shrunk(tmp_path):
    from confops.core.storage import folder_storage

    storage = folder_storage(tmp_path / "uploads")
    big = io.BytesIO()
    Image.new("RGB", (2400, 1200), (200, 30, 30)).save(big, "PNG")
    relative = await uploads.store_photo(big.getvalue(), storage, 7)
    with Image.open(tmp_path / "uploads" / relative) as stored:
        assert stored.format == "JPEG" and max(stored.size) == uploads.PHOTO_SIZE
    for bad in (b"", b"GIF89a" + b"\0" * 50, b"<svg></svg>"):
        with pytest.raises(Invalid):
            await uploads.store_photo(bad, storage, 7)
    with pytest.raises(Invalid) as exc:
        await uploads.store_photo(b"\xff\xd8" + b"\0" * uploads.MAX_PHOTO_BYTES, storage, 7)
    assert "larger than 5 MB" in exc.value.detail


def _p(pid, start_h, end_h, room=None, speakers=(), capacity=None):
    base = datetime(2027, 5, 6, tzinfo=UTC)
    return Planned(pid, f"S{pid}", base + timedelta(hours=start_h), base + timedelta(hours=end_h), room,
                   frozenset(speakers), capacity)


def test_schedule_conflicts_name_the_field():
    start, end = datetime(2027, 5, 6, 8, tzinfo=UTC), datetime(2027, 5, 6, 18, tzinfo=UTC)
    others = [_p(1, 9, 10, room=1, speakers={5}), _p(2, 10, 11, room=2, speakers={6})]
    names = {5: "Maya Goldberg"}
    found = conflicts(_p(3, 9.5, 10.5, room=1, speakers={5}, capacity=80), others, event_start=start,
                      event_end=end, room_capacity=60, speaker_names=names)
    by_field = {p.field: p.message for p in found}
    assert "already booked for “S1”" in by_field["room"]
    assert "Maya Goldberg is double-booked" in by_field["speakers"]
    assert "over the room's capacity (60)" in by_field["capacity"]
    # back-to-back is not a clash; outside the event is
    assert conflicts(_p(4, 10, 11, room=1, speakers={5}), others, event_start=start, event_end=end,
                     room_capacity=None, speaker_names=names) == []
    outside = conflicts(_p(5, 17, 19), [], event_start=start, event_end=end, room_capacity=None, speaker_names={})
    assert [p.field for p in outside] == ["starts_at"]
    assert [p.field for p in conflicts(_p(6, 11, 10), [], event_start=start, event_end=end, room_capacity=None,
                                       speaker_names={})] == ["ends_at"]


@given(st.text(min_size=0, max_size=300))
def test_ical_lines_fold_at_75_octets_and_text_round_trips(text):
    ev = calendar.CalendarEvent(uid="x@test", starts_at=NOW, ends_at=NOW + timedelta(hours=1),
                                summary=text.replace("\r", "") or "x", description="Ψυχή; a,b\\c\nnext")
    body = calendar.render([ev], name="Test", stamp=NOW)
    assert body.endswith(b"\r\n")
    for line in body.split(b"\r\n"):
        assert len(line) <= 75
        line.decode("utf-8")  # never split inside a character
    parsed = icalendar.Calendar.from_ical(body)
    event = parsed.walk("VEVENT")[0]
    assert str(event["SUMMARY"]) == (text.replace("\r", "") or "x")
    assert str(event["DESCRIPTION"]) == "Ψυχή; a,b\\c\nnext"
    assert event["DTSTAMP"].dt == NOW and event["DTSTART"].dt == NOW

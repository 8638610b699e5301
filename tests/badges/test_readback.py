"""Badges from the database, read back: every QR decodes to a token the check-in verifier
accepts, and names in Latin with diacritics, Greek, Cyrillic and Vietnamese come out of the PDF
exactly as they went in, on every shipped layout (the fold-over back with the small group)."""

from __future__ import annotations

import io

import pytest

from confops.badges.printing import print_badges
from confops.checkin import tokens
from confops.checkin.service import event_key
from confops.core import extension
from confops.documents.badge_data import BadgeFilters, badge_data_for_event
from confops.documents.layouts import available, load_layout
from confops.events.tables import Event
from confops.registration.tables import Attendee
from tests.badges.readback import decoded_qr_codes, text_runs
from tests.conftest import TEST_SECRET
from tests.documents.test_badge_data import register

SLUG = "abs-national-meeting"
NAMES = [("zoe", "Zoë", "Ångström-Müller", "Université de Montréal"),
         ("alex", "Αλέξανδρος", "Οικονόμου", "Πανεπιστήμιο Αθηνών"),
         ("natalia", "Наталья", "Смирнова", "МГУ имени М. В. Ломоносова"),
         ("phuong", "Phương", "Nguyễn Thị", "Đại học Y Hà Nội"),
         ("lukasz", "Łukasz", "Żółkiewski", "Uniwersytet Jagielloński")]


@pytest.mark.parametrize("layout_name", sorted(available()))
async def test_every_badge_scans_and_every_name_reads_back(db, demo, layout_name):
    for key, first, last, institution in NAMES:
        await register(key, first, last, institution=institution, credentials="MD")
    # One person was transferred and re-issued: the badge carries the current token version.
    await Attendee.update({Attendee.token_version: 3}).where(Attendee.first_name == "Łukasz")

    @extension.provides("badge_back_lines")
    async def groups(event_id, attendee_ids):
        return {aid: [f"Small group {aid % 7 + 1}"] for aid in attendee_ids}

    layout = load_layout(layout_name)
    attendees = BadgeFilters(roles=frozenset({"attendee"}))
    # Everyone registered: the five made here and whoever other areas' demo data registered.
    expected = await badge_data_for_event(SLUG, attendees, secret_key=TEST_SECRET)
    out = io.BytesIO()
    try:
        done = await print_badges(SLUG, out, layout, attendees, secret_key=TEST_SECRET, printed_by=None)
    finally:
        extension._providers["badge_back_lines"].remove(groups)
    pdf = out.getvalue()
    assert done.badges == len(expected)

    event = await Event.select(Event.id).where(Event.slug == SLUG).first()
    mine = Attendee.email.is_in([f"{n[0]}@example.org" for n in NAMES])
    my_ids = {r["id"] for r in await Attendee.select(Attendee.id).where(mine)}
    assert len(my_ids) == len(NAMES) and my_ids <= {b.attendee_id for b in expected}
    versions = {r["id"]: r["token_version"] for r in await Attendee.select(Attendee.id, Attendee.token_version).where(
        Attendee.event == event["id"])}
    scanner = tokens.OfflineVerifier(await event_key(event["id"], TEST_SECRET), versions)
    codes = decoded_qr_codes(pdf)
    assert len(codes) == len(expected)
    results = [scanner.check(code) for code in codes]
    assert all(r.ok for r in results)  # Łukasz's too: his badge carries version 3
    assert sorted(r.claims.attendee_id for r in results) == sorted(b.attendee_id for b in expected)

    runs = [run for page in text_runs(pdf) for run in page]
    for _, first, last, institution in NAMES:
        assert first in runs and f"{first} {last}, MD" in runs and institution in runs
    fronts = [page for i, page in enumerate(text_runs(pdf)) if not (layout.duplex and i % 2)]
    order = [run for page in fronts for run in page if run in {n[1] for n in NAMES}]
    assert order == ["Zoë", "Phương", "Łukasz", "Αλέξανδρος", "Наталья"]  # by last name, Latin first
    if layout.duplex:
        assert any(run.startswith("Small group ") for run in text_runs(pdf)[1])

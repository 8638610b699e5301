"""Who gets a badge: the event's speakers today (attendees join with registration)."""

import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from confops.core.errors import NotFound
from confops.documents.badge_data import BadgeFilters, badge_data_for_event

ROOT = Path(__file__).resolve().parents[2]


async def test_speakers_become_faculty_and_group_leader_badges_sorted_by_last_name(db, demo):
    badges = await badge_data_for_event("abs-national-meeting")
    assert [b.last_name for b in badges] == [
        "Berg", "Goldberg", "Lee", "Martínez-Ruiz", "Minh", "Okafor", "Raman", "Whitfield",
        "Παπαδόπουλος", "Смирнова"]
    by_name = {b.full_name: b for b in badges}
    samuel = by_name["Samuel Okafor"]
    assert samuel.role == "group_leader" and samuel.group_label == "Balint group leader"
    assert samuel.credentials == "PhD" and samuel.institution == "Rush University Medical Center"
    assert samuel.schedule[0] == "Thu 14:30 G1 Balint small groups, session 1"  # event's local time
    assert by_name["Ольга Смирнова"].role == "faculty" and by_name["Ольга Смирнова"].event_title
    assert all(b.qr_token == "" for b in badges)  # speakers are checked in through registrations
    leaders = await badge_data_for_event("abs-national-meeting", BadgeFilters(roles=frozenset({"group_leader"})))
    assert {b.full_name for b in leaders} == {"Samuel Okafor", "Maya Goldberg"}
    with pytest.raises(NotFound):
        await badge_data_for_event("no-such-event")


def _confops(*args, env):
    return subprocess.run([sys.executable, "-m", "confops.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **env}, timeout=180)


def test_badges_command_prints_the_event_with_a_progress_bar(tmp_path):
    env = {"CONFOPS_VAR_DIR": str(tmp_path), "CONFOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "CONFOPS_ENV": "development"}
    assert _confops("migrate", env=env).returncode == 0
    assert _confops("demo", env=env).returncode == 0
    out = tmp_path / "badges.pdf"
    done = _confops("badges", "abs-national-meeting", "--layout", "avery-5392", "--out", str(out), env=env)
    assert done.returncode == 0, done.stderr
    assert "10 badges on 2 pages (avery-5392)" in done.stdout and "Badges" in done.stderr
    reader = PdfReader(io.BytesIO(out.read_bytes()))
    assert len(reader.pages) == 2 and "Αλέξανδρος" in reader.pages[1].extract_text()

    leaders = _confops("badges", "abs-national-meeting", "--layout", "badge-4x6-duplex", "--role", "group_leader",
                       "--out", str(out), env=env)
    assert leaders.returncode == 0 and "2 badges on 2 pages" in leaders.stdout

    bad = tmp_path / "bad.toml"
    bad.write_text("[page]\nsize = 'letter'\n")
    refused = _confops("badges", "abs-national-meeting", "--layout", str(bad), "--out", str(out), env=env)
    assert refused.returncode != 0 and f"{bad}: grid: is required" in refused.stderr
    missing = _confops("badges", "nope", "--out", str(out), env=env)
    assert missing.returncode != 0 and "no event called 'nope'" in missing.stderr

"""Formula injection through CSV downloads: a name that a spreadsheet would run as a formula.
Every CSV the project writes goes through core/csv_export.py, and each download is checked."""

from __future__ import annotations

import csv
import io
import subprocess
from pathlib import Path

from confops.core.csv_export import to_csv
from confops.registration.tables import Attendee
from tests.cme.support import SLUG, evaluated_and_claimed
from tests.speakers.people import staff_sign_in

HOSTILE = ['=HYPERLINK("http://x","y")', "+cmd|' /C calc'!A0", "@SUM(1+1)", "-2+3", "\t=1", "\r=1"]
ROOT = Path(__file__).resolve().parents[2]


def cells(text: str) -> list[str]:
    return [c for row in csv.reader(io.StringIO(text)) for c in row]


def test_risky_text_is_neutralised_and_numbers_stay_numbers():
    text = to_csv(["Name", "Amount"], [[h, -250] for h in HOSTILE])
    rows = list(csv.reader(io.StringIO(text)))[1:]
    assert [r[0] for r in rows] == ["'" + h for h in HOSTILE]
    assert {r[1] for r in rows} == {"-250"}


async def test_cme_claims_and_pars_exports_are_safe_to_open(client, demo):
    from confops.accounts.service import create_user
    from confops.cme.tables import CmeProfile

    cert = await evaluated_and_claimed("morgan@example.org", credit="3.5")
    await Attendee.update({Attendee.last_name: HOSTILE[0], Attendee.first_name: HOSTILE[1]}).where(
        Attendee.id == cert["attendee"])
    user = await create_user("morgan@example.org", "Morgan Reyes")
    await CmeProfile(user=user.id, board_id="@SUM(1+1)", birth_month=4, birth_day=9, pars_consent=True).save()
    await staff_sign_in(client, "cme@example.org")
    for path in ("claims.csv", "pars.csv"):
        r = await client.get(f"/staff/events/{SLUG}/cme/{path}")
        assert r.status_code == 200, path
        found = cells(r.text)
        assert "'" + HOSTILE[0] in found and "'" + HOSTILE[1] in found, path
        assert not any(c.startswith(("=", "+", "@")) for c in found), (path, found)


def test_no_csv_is_written_around_the_safe_writer():
    """One writer for the whole project: a bare csv.writer elsewhere is how the CME exports leaked."""
    hits = subprocess.run(["git", "grep", "-n", "-E", r"csv\.(writer|DictWriter)\(", "--", "confops"],
                          cwd=ROOT, capture_output=True, text=True).stdout.splitlines()
    assert [h for h in hits if not h.startswith("confops/core/csv_export.py")] == []

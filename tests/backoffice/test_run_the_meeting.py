"""Done when: staff run the demo meeting from the dashboard — charts, the catering list as
XLSX opened with openpyxl, a bulk e-mail received by the SMTP server, the diversity report with
suppression; panels and tables from other areas appear."""

import io
import re
from datetime import date

from openpyxl import load_workbook

from confops.core.extension import ExportSource, Panel
from tests.backoffice.conftest import sign_in
from tests.support.http import csrf_token, post_form
from tests.support.smtp import body_text

SLUG = "abs-national-meeting"


async def test_staff_run_the_demo_meeting(client, demo, inbox, deliver, provide):
    async def checkin_curve(event_id):
        return [Panel("checkins", "Check-ins today", "line", [("8:00", 3), ("8:30", 11), ("9:00", 19)]),
                Panel("cme", "CME claims", "number", (4, "claims"), note="of 11 eligible")]

    async def checkin_rows(event_id):
        async def rows():
            yield [["Amara Okafor", "08:05"]]
        return ["Name", "Checked in at"], rows()

    async def checkin_table(event_id):
        return [ExportSource("checkins-test", "Check-ins", checkin_rows)]

    while await deliver():  # the demo's own confirmations go out first
        pass
    inbox.clear()
    provide("dashboard_panels", checkin_curve)
    provide("export_sources", checkin_table)
    await sign_in(client, "registrar@example.org")
    home = await client.get("/staff")
    assert f'href="/staff/events/{SLUG}/dashboard"' in home.text

    board = await client.get(f"/staff/events/{SLUG}/dashboard")
    assert board.status_code == 200
    assert board.text.count("<svg") >= 4
    assert "<title id=\"chart" in board.text and "Registrations by category" in board.text
    registered = int(re.search(r'id="registered">(\d+)<', board.text).group(1))
    assert registered >= 9  # the demo's confirmed registrations
    assert "ABS member" in board.text and "Psychologist" in board.text and "social_worker" not in board.text  # labels, never codes
    assert "Check-ins today" in board.text and "8:30: 11" in board.text and "of 11 eligible" in board.text
    assert "$" in re.search(r'id="outstanding">([^<]+)<', board.text).group(1)
    assert "Saturday banquet" in board.text  # add-on capacity fill

    exports = await client.get(f"/staff/events/{SLUG}/exports")
    assert "Check-ins" in exports.text and "Dietary list" in exports.text
    xlsx = await client.get(f"/staff/events/{SLUG}/exports/catering/xlsx")
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["content-type"]
    book = load_workbook(io.BytesIO(xlsx.content))
    assert book.sheetnames == ["Dietary counts", "Dietary list"]
    counts = {r[0]: r[1] for r in book["Dietary counts"].iter_rows(min_row=2, values_only=True)}
    assert counts["vegetarian"] == 2 and counts["Add-on: Saturday banquet"] >= 3
    listed = list(book["Dietary list"].iter_rows(values_only=True))
    assert listed[0][:4] == ("Last name", "First name", "Name on badge", "Dietary needs")
    assert ("Okafor", "Amara") in {r[:2] for r in listed}
    assert "Mensah" not in {r[0] for r in listed}  # not paid yet: not confirmed, not catered
    checkins = await client.get(f"/staff/events/{SLUG}/exports/checkins-test/csv")
    assert "Amara Okafor" in checkins.text

    mail = await client.get(f"/staff/events/{SLUG}/mail")
    member = re.search(r'<option value="(\d+)" >ABS member</option>', mail.text).group(1)
    form = {"audience": "registrants", "status": "confirmed", "category": member, "session": "",
            "subject": "See you in {first_name}'s city", "body": "Dear {first_name},\nthe program is out."}
    preview = await post_form(client, f"/staff/events/{SLUG}/mail/preview", form)
    assert preview.status_code == 200
    count = int(re.search(r'id="recipient-count">(\d+) recipient', preview.text).group(1))
    assert count >= 4
    await post_form(client, f"/staff/events/{SLUG}/mail/test", form)
    sent = await post_form(client, f"/staff/events/{SLUG}/mail/send", form)
    assert sent.status_code == 303
    await deliver()
    test_copy = inbox.wait_for("registrar@example.org")[0]
    assert test_copy["Subject"].startswith("[TEST]")
    amara = inbox.wait_for("amara.okafor@example.org")[0]
    assert "Dear Amara," in body_text(amara)
    assert amara["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert not inbox.to("ben.carter@example.org")  # a non-member: filtered out
    assert len([m for m in inbox.messages if not m["Subject"].startswith("[TEST]")]) == count

    diversity = await client.get(f"/staff/events/{SLUG}/diversity")
    assert diversity.status_code == 200
    text = re.sub(r"\s+", " ", diversity.text)
    assert "<td>Physician</td><td>7</td>" in text
    assert "<td>Nurse</td><td>&lt;5 (suppressed)</td>" in text
    assert "<td>Social worker</td><td>&lt;5 (suppressed)</td>" in text
    assert "<th scope=\"row\">Total</th><td>15</td>" in text
    assert "only counts" in text
    across = await client.get("/staff/diversity")
    assert "Answers per event" in across.text
    assert date.today().isoformat() not in diversity.text  # no per-person dates either
    assert csrf_token(client)

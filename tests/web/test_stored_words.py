"""Pages say stored values in words: the CME learning format, a planner's role on the public
event page, a small-group run's status and a privacy request's kind and status were shown as
the database keeps them ("live", "planner", "published", "deletion", "open")."""

import re

from confops.accounts.tables import User
from confops.backoffice.privacy import ask_deletion
from tests.backoffice.conftest import sign_in

SLUG = "abs-national-meeting"


def cells(html: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", html, re.S)]


async def test_stored_values_are_shown_in_words(client, demo):
    event = (await client.get(f"/events/{SLUG}")).text
    planners = event.split('id="planners-title"')[1].split("</section>")[0]
    assert "(Planner)" in planners and "(Reviewer)" in planners and "(planner)" not in planners

    await sign_in(client, "cme@example.org")
    cme = (await client.get(f"/staff/events/{SLUG}/cme")).text
    summary = cme.split('id="summary"')[1].split("</dl>")[0]
    assert re.search(r"<dt>Format</dt><dd>(Live activity|Live online activity|Enduring material)</dd>", summary), summary[:300]
    chosen = re.search(r'<select id="learning_format"[^>]*>(.*?)</select>', cme, re.S)[1]
    assert re.findall(r">([^<]+)</option>", chosen) == ["Live activity", "Live online activity", "Enduring material"]
    assert re.findall(r'value="([^"]+)"', chosen) == ["live", "online", "enduring"]  # stored as before

    await sign_in(client, "registrar@example.org")
    groups = (await client.get(f"/staff/events/{SLUG}/groups")).text
    runs = re.findall(r"<h3>Run \d+ \(([^,]+), seed", groups)
    assert runs and all(r in ("Draft", "Published", "Replaced by a later run") for r in runs), runs

    morgan = await User.select(User.id).where(User.email == "morgan@example.org").first()
    await ask_deletion(morgan["id"], "Please forget me.")
    row = cells((await client.get("/staff/privacy")).text)
    assert "Deletion of personal data: Please forget me." in row and "Open" in row, row
    assert "deletion: Please forget me." not in row and "open" not in row

"""/verify names the learner as the certificate and its signed credential do: with their
credentials ("Morgan Reyes, MD"). The page said "Morgan Reyes" right above a credential panel
saying "Morgan Reyes, MD" (issue 30: one story on one page)."""

from __future__ import annotations

import re

from confops.cme import certificates
from tests.cme.support import evaluated_and_claimed


async def test_the_verify_page_names_the_learner_as_printed(client, demo):
    cert = await evaluated_and_claimed("morgan@example.org")
    c = certificates.contents(cert)
    assert c["credentials"] == "MD"
    page = (await client.get(f"/verify/{cert['serial']}")).text
    [name] = re.findall(r"<dt>Name</dt>\s*<dd>(.*?)</dd>", page)
    assert name == "Morgan Reyes, MD"


async def test_a_learners_pages_say_a_certificates_status_in_words(client, demo):
    """"valid", "revoked", "superseded" are the database's values; the learner reads words."""
    from tests.speakers.people import sign_in

    await evaluated_and_claimed("morgan@example.org")
    await sign_in(client, "morgan@example.org")
    for path in ("/account/cme", "/account/cme/transcript"):
        cells = [re.sub(r"<[^>]+>", " ", c).split() for c in
                 re.findall(r"<td[^>]*>(.*?)</td>", (await client.get(path)).text, re.S)]
        assert ["Valid"] in [c[:1] for c in cells] and not any(c[:1] == ["valid"] for c in cells), (path, cells)

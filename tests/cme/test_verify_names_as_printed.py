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

"""The certificate prints its whole verify address, in the short /v/<serial> form that leads to
the verify page, never cut, even under a long site address (issue 23), on both engines: the PDF
downloaded over HTTP is read back, its QR decoded, and both addresses followed."""

from __future__ import annotations

from urllib.parse import urlparse

import pytest

from settings import Settings
from tests.cme.support import evaluated_and_claimed, pdf_text, qr_texts
from tests.speakers.people import sign_in

LONG_BASE = "http://continuing-medical-education.american-balint-society.example.org:8080/members/portal"


@pytest.fixture
def settings(db, var_dir, smtp_server) -> Settings:
    from tests.conftest import TEST_SECRET

    return Settings(env="test", database_url=db.url, secret_key=TEST_SECRET, base_url=LONG_BASE, var_dir=var_dir,
                    smtp_url=smtp_server.url, in_app_worker=False)


async def test_the_certificate_prints_its_whole_short_verify_address(client, demo, tmp_path):
    cert = await evaluated_and_claimed("morgan@example.org", credit="3.5")
    serial = cert["serial"]
    await sign_in(client, "morgan@example.org")
    pdf = await client.get(f"/account/cme/certificates/{serial}")
    assert pdf.status_code == 200
    short = f"{LONG_BASE}/v/{serial}"
    text = pdf_text(pdf.content)
    printed = "".join(text.split("Verify: scan the code or open")[1].split())
    assert printed == short  # whole: nothing cut, nothing after it
    assert qr_texts(pdf.content, tmp_path) == [short]

    r = await client.get(f"/v/{serial}")
    assert r.status_code == 302 and r.headers["location"] == f"/verify/{serial}"
    page = await client.get(r.headers["location"])
    assert page.status_code == 200 and "<strong>Valid</strong>" in page.text and "Morgan Reyes" in page.text

    # a serial typed from paper in lower case reaches the same record; nonsense finds nothing
    page = await client.get((await client.get(f"/v/{serial.lower()}")).headers["location"])
    assert "<strong>Valid</strong>" in page.text
    r = await client.get("/v/..%2F..%2Fstaff")
    assert r.status_code in (302, 404)
    if r.status_code == 302:
        assert urlparse(r.headers["location"]).path.startswith("/verify/") and not urlparse(r.headers["location"]).netloc
        assert (await client.get(r.headers["location"])).status_code in (404, 422)

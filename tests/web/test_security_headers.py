"""Security headers on every response: the attacks were a staff page framed by another site, a
script injected into a page, a token in a URL leaking through Referer or a cache."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.support.http import post_form

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


def _policy(response) -> dict[str, str]:
    return {part.strip().split(" ")[0]: part.strip() for part in response.headers["content-security-policy"].split(";")}


@pytest.mark.parametrize("path", ["/", "/events", "/staff/login", "/nowhere-at-all", "/static/confops.css",
                                  "/api/v1/events", "/api/v1/orders/1", "/health", "/schema/openapi.json"])
async def test_every_response_has_the_headers(client, demo, path):
    r = await client.get(path)
    assert r.headers["x-content-type-options"] == "nosniff", path
    assert r.headers["referrer-policy"] in ("same-origin", "no-referrer"), path
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"], path
    assert r.headers["x-frame-options"] == "DENY", path


async def test_pages_allow_only_their_own_scripts(client, demo):
    r = await client.get("/events")
    policy = _policy(r)
    script = policy["script-src"]
    assert "'unsafe-inline'" not in script and "'unsafe-eval'" not in script and "'nonce-" in script
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["object-src"] == "object-src 'none'" and policy["base-uri"] == "base-uri 'none'"
    again = await client.get("/events")
    assert _policy(again)["script-src"] != script  # a new nonce for every response


async def test_an_inline_script_carries_the_nonce_of_its_response(client, demo):
    from confops.web.boundary import _nonce
    from confops.web.templating import make_environment

    token = _nonce.set("n0nce-for-this-test")
    try:
        html = make_environment().from_string('<script nonce="{{ csp_nonce() }}">1</script>').render()
    finally:
        _nonce.reset(token)
    assert 'nonce="n0nce-for-this-test"' in html


def test_templates_have_no_inline_script_without_a_nonce_and_no_style_attributes():
    for path in TEMPLATES.rglob("*.html"):
        if path.parts[-2] == "email":
            continue  # e-mails are not served pages; mail clients need inline styles
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            data_block = 'type="application/json"' in tag or 'type="application/ld+json"' in tag  # never runs
            assert data_block or "src=" in tag or 'nonce="{{ csp_nonce() }}"' in tag, f"{path.name}: {tag}"
        assert not re.search(r"\sstyle=", text), f"{path.name} has a style attribute (CSP refuses it)"
        assert not re.search(r"\son[a-z]+=", text), f"{path.name} has an inline event handler"


async def test_pages_with_a_secret_are_not_stored(client, demo):
    # a signed-in page, a sign-in page, a page whose URL carries a token
    for path in ("/login", "/staff/login", "/orders/1?token=abc", "/checkin/scanner"):
        r = await client.get(path)
        assert r.headers.get("cache-control") == "no-store", path
    public = await client.get("/events")
    assert public.headers.get("cache-control") != "no-store"
    await post_form(client, "/staff/login", {"email": "registrar@example.org", "password": "confops-demo"},
                    page="/staff/login")
    assert (await client.get("/events")).headers.get("cache-control") == "no-store"  # shows who is signed in


async def test_a_badge_pdf_may_be_framed_only_by_the_site_itself(client, demo):
    r = await client.get("/events/abs-national-meeting/program.pdf")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/pdf")
    assert r.headers["content-security-policy"] == "frame-ancestors 'self'"

"""The organizer's logo on every page and in every e-mail: the society's mark while the organizer
has none; its own PNG once set (on the pages' header and footer, and as the inline image of each
e-mail's header); SVG and non-images refused."""

import io

import pytest
from PIL import Image

from confops.accounts.service import request_login_link
from confops.core.errors import Invalid
from confops.events import branding
from tests.support.smtp import body_html


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(autouse=True)
def _fresh_logo_cache():
    branding._cache.clear()
    yield
    branding._cache.clear()


async def test_pages_and_mail_show_the_society_mark_then_the_organizers_logo(client, app, demo, deliver, inbox):
    home = await client.get("/")
    assert home.text.count('src="/organizers/abs/logo"') == 2  # header and footer
    event = await client.get("/events/abs-national-meeting")
    assert 'src="/organizers/abs/logo"' in event.text
    mark = await client.get("/organizers/abs/logo")
    assert mark.status_code == 200 and mark.headers["content-type"].startswith("image/svg+xml")
    assert mark.content == branding.society_mark().data

    await request_login_link("attendee@example.org", base_url="http://testserver", valid_minutes=15)
    await deliver()
    [first] = inbox.to("attendee@example.org")
    [logo] = [p for p in first.walk() if p["Content-ID"] == "<logo@confops>"]
    assert logo.get_content() == branding.society_mark_png().data and "cid:logo@confops" in body_html(first)

    png = _png()
    await branding.set_logo("abs", png, app.state.storage)
    own = await client.get("/organizers/abs/logo")
    assert own.content == png and own.headers["content-type"] == "image/png"
    inbox.clear()
    await request_login_link("attendee@example.org", base_url="http://testserver", valid_minutes=15)
    await deliver()
    [second] = inbox.to("attendee@example.org")
    logos = [p for p in second.walk() if p["Content-ID"] == "<logo@confops>"]
    assert [p.get_content() for p in logos] == [png]  # the organizer's logo, once


async def test_only_png_or_jpeg_logos_are_taken(app, demo):
    for refused in (b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>', b"GIF89a...",
                    b"\x89PNG\r\n\x1a\n" + b"0" * (600 * 1024)):
        with pytest.raises(Invalid):
            await branding.set_logo("abs", refused, app.state.storage)
    assert (await branding.page_logo("abs", app.state.storage)).media_type == "image/svg+xml"  # still the mark

"""The dashboard in a real Chromium: a registrar signs in, opens the meeting's dashboard from
the staff page, sees the charts (SVG with their accessible names), and downloads the catering
workbook."""


import asyncio
import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from confops.demo.abs import load_demo
from tests.support.grow import grow

pytestmark = pytest.mark.browser


async def test_registrar_reads_the_dashboard_and_downloads_catering(db, live_server, page):
    await load_demo()
    await page.goto(live_server.url + "/staff/login")
    await page.get_by_label("E-mail").fill("registrar@example.org")
    await page.get_by_label("Password").fill("confops-demo")
    await page.get_by_role("button", name="Sign in").click()
    await page.goto(live_server.url + "/staff")
    await page.locator('a[href="/staff/events/abs-national-meeting/dashboard"]').click()
    await page.get_by_role("heading", name="Dashboard: ABS National Meeting 2027").wait_for()
    by_category = page.get_by_role("img", name="Registrations by category")
    await by_category.wait_for()
    box = await by_category.bounding_box()
    assert box and box["width"] > 200 and box["height"] > 40  # drawn, not just present
    assert await page.get_by_role("img", name="Confirmed registrations over time (cumulative)").count() == 1
    assert await page.locator("svg rect").count() >= 4
    assert await page.locator("meter").count() >= 1
    await page.get_by_role("link", name="Exports").first.click()
    async with page.expect_download() as info:
        await page.locator('a[href$="/exports/catering/xlsx"]').click()
    download = await info.value
    data = await asyncio.to_thread(Path(await download.path()).read_bytes)
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["Dietary counts", "Dietary list"]

    # The registrations list pages by keyboard (issue 29): Tab to "Next", Enter, the search kept.
    await grow("abs-national-meeting", 40)
    await page.goto(live_server.url + "/staff/events/abs-national-meeting/registrations/?q=grown")
    showing = page.get_by_text("Showing 1–50 of")
    await showing.first.wait_for()
    next_link = page.get_by_role("navigation", name="Registration pages", exact=True).get_by_role("link", name="Next →")
    await next_link.focus()
    await page.keyboard.press("Enter")
    await page.get_by_text("Showing 51–").first.wait_for()
    assert "q=grown" in page.url and "page=2" in page.url
    await page.screenshot(path="/tmp/confops-registrations-page2-desktop.png", full_page=False)
    await page.set_viewport_size({"width": 390, "height": 844})
    await page.screenshot(path="/tmp/confops-registrations-page2-390.png", full_page=False)
    pager = await page.get_by_role("navigation", name="Registration pages", exact=True).bounding_box()
    assert pager and pager["width"] <= 390  # the page links wrap on a phone, they do not overflow


"""The CME coordinator's PARS reporting form in a real Chromium at 390 and 1280 px: a jointly
provided activity without its joint provider is refused at that field, the fields typed stay,
and once corrected the summary says what was reported. The pages fit and pass axe (looks.py)."""

import pytest

from confops.demo.abs import load_demo
from tests.support.looks import looks_at

pytestmark = pytest.mark.browser


@pytest.fixture
def db(_databases):
    """SQLite alone: the form's rules run on both engines in tests/cme/test_pars_export.py."""
    from tests.conftest import _fresh

    return _fresh(_databases, "sqlite")


async def test_the_coordinator_reports_joint_providership_and_support(db, live_server, browser):
    await load_demo()
    problems: list[str] = []
    for width in (390, 1280):
        context, looks = await looks_at(browser, width)
        page, url = looks.page, live_server.url
        await page.goto(url + "/staff/login")
        await page.get_by_label("E-mail").fill("cme@example.org")
        await page.get_by_label("Password").fill("confops-demo")
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(url + "/staff")
        await looks.goto(url + "/staff/events/abs-national-meeting/cme#pars", f"cme-pars-{width}")
        form = page.locator("form[action$='/cme/reporting']")
        await form.get_by_label("Joint provider(s), one per line").fill("")  # as if never reported
        await form.get_by_label("Jointly provided").check()
        await form.get_by_label("Supporter 1", exact=True).fill("Northwind Pharma, Inc.")
        await form.get_by_label("Amount 1 (USD, monetary only)").fill("2500")
        await form.get_by_label("Received from:").check()
        await form.get_by_role("button", name="Save PARS reporting").click()
        await page.wait_for_selector("#joint_providers-error")
        assert "Name the joint provider" in await page.locator("#joint_providers-error").inner_text()
        assert await page.get_by_label("Supporter 1", exact=True).input_value() == "Northwind Pharma, Inc."
        await looks.check(f"cme-pars-error-{width}")
        await page.get_by_label("Joint provider(s), one per line").fill("Balint Society of Canada")
        await page.locator("form[action$='/cme/reporting']").get_by_role("button", name="Save PARS reporting").click()
        await page.wait_for_url(url + "/staff/events/abs-national-meeting/cme#pars")
        summary = await page.locator("#summary").inner_text()
        assert "Jointly provided with Balint Society of Canada" in summary
        assert "Northwind Pharma, Inc. (monetary, $2,500.00)" in summary
        await looks.check(f"cme-pars-saved-{width}")
        problems += looks.problems
        await context.close()
    assert not problems, "\n".join(problems)

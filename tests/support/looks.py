"""What a page looks like to the people who use it, checked in a real Chromium: no horizontal
scroll at phone width, no Content-Security-Policy refusal in the console, and axe-core (4.11,
MPL-2.0, vendored under tests/support/axe/ from npm like the scanner's zxing decoder) finding no
serious or critical WCAG 2.2 AA violation. Every visit writes a full-page screenshot to
CONFOPS_TEST_SCREENSHOTS (default var/test-screenshots/ in the checkout) for people to look at."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
AXE = (Path(__file__).parent / "axe" / "axe.min.js").read_text()
SCREENSHOTS = Path(os.environ.get("CONFOPS_TEST_SCREENSHOTS", ROOT / "var" / "test-screenshots"))
SCREENSHOTS.mkdir(parents=True, exist_ok=True)
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
# axe.run's own promise; evaluated through the DevTools protocol, which the page's CSP does not
# govern (a <script> tag added to the page would be refused, as it should be).
_RUN = ("axe.run(document, {runOnly: {type: 'tag', values: " + json.dumps(WCAG) + "}, resultTypes: ['violations']})"
        ".then(r => r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => v.impact + ' ' + v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | ')))")


# Internal names people should never read ("non_member", "awaiting_payment"): lower-case words
# joined by underscores, outside e-mail addresses, web addresses and file names.
# what the page says in words: <code> holds what staff type on purpose (a question's key)
_SHOWN_TEXT = ("(() => { const m = (document.querySelector('main') || document.body).cloneNode(true);"
               " m.querySelectorAll('code, pre').forEach(c => c.remove()); document.body.appendChild(m);"
               " const t = m.innerText; m.remove(); return t; })()")
_CODE = re.compile(r"(?<![\w./@-])[a-z]+(?:_[a-z0-9]+)+(?![\w./@-])")
_ADDRESSES = re.compile(r"\S+@\S+|https?://\S+|/\S+|\S+\.(?:pdf|csv|xlsx|json|jwt|png|ics)\b")


# The smallest type a chart shows, as drawn: an SVG chart is scaled to its container, and its
# words and numbers shrink with it (at 560 units wide on a phone, 11-unit labels were 7 px).
MIN_CHART_TEXT_PX = 10
_CHART_TEXT = ("Math.min(Infinity, ...[...document.querySelectorAll('svg.chart')].flatMap(svg => {"
               " const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;"
               " return [...svg.querySelectorAll('text')].map(t => parseFloat(t.getAttribute('font-size') || 16) * scale); }))")


@dataclass
class Looks:
    """Visits pages in one browser page at one width and keeps every problem seen."""

    page: object
    width: int
    problems: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    shots: list[Path] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.page.on("console", self._heard)

    def _heard(self, message) -> None:
        if message.type == "error" and ("Content Security Policy" in message.text or "Refused to" in message.text):
            self.console.append(message.text)
        elif message.type == "error" and "Failed to load resource" in message.text:
            url = message.location.get("url", "")
            if url.split("#")[0] != self.page.url.split("#")[0]:  # a form's own 422 is the page itself
                self.console.append(f"{message.text} ({url})")

    async def goto(self, url: str, name: str) -> None:
        response = await self.page.goto(url)
        if response is None or response.status >= 400:
            self.problems.append(f"{name}@{self.width}: HTTP {response.status if response else 'no answer'}")
        await self.check(name)

    async def check(self, name: str) -> None:
        """The page as it is now: screenshot, width, console, axe."""
        await self.page.wait_for_load_state("load")
        label = f"{name}@{self.width}"
        shot = SCREENSHOTS / f"{re.sub(r'[^a-z0-9]+', '-', name.lower())}-{self.width}.png"
        await self.page.screenshot(path=str(shot), full_page=True)
        self.shots.append(shot)
        wide, view = await self.page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if wide > view:
            self.problems.append(f"{label}: {wide} px wide in a {view} px window (scrolls sideways)")
        for text in self.console:
            self.problems.append(f"{label}: console: {text[:300]}")
        self.console.clear()
        text = await self.page.evaluate(_SHOWN_TEXT)
        codes = sorted({c for c in _CODE.findall(_ADDRESSES.sub(" ", text))})
        if codes:
            self.problems.append(f"{label}: codes shown instead of labels: {', '.join(codes[:8])}")
        smallest = await self.page.evaluate(_CHART_TEXT)
        if smallest is not None and smallest < MIN_CHART_TEXT_PX:
            self.problems.append(f"{label}: chart text drawn at {smallest:.1f} px (under {MIN_CHART_TEXT_PX} px)")
        await self.page.evaluate(AXE)
        for violation in await self.page.evaluate(_RUN):
            self.problems.append(f"{label}: axe {violation}")


async def looks_at(browser, width: int) -> tuple[object, Looks]:
    """A fresh browser context at a phone's (390) or a laptop's (1280) width."""
    context = await browser.new_context(viewport={"width": width, "height": 844 if width < 600 else 900})
    page = await context.new_page()
    page.set_default_timeout(15000)
    return context, Looks(page, width)

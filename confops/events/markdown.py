"""Event descriptions are written in Markdown by staff and shown to everyone: rendered here with
raw HTML switched off (a `<script>` is shown as text), images off (no tracking pixels or
off-site loads the CSP would refuse anyway) and links limited to http(s) and mailto, so what a
staff member (or someone who stole their session) types can never run in a visitor's browser."""

from __future__ import annotations

from functools import cache

from markdown_it import MarkdownIt
from markupsafe import Markup

_SAFE_SCHEMES = ("http://", "https://", "mailto:")


@cache
def _renderer() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).disable("image")

    def validate(url: str) -> bool:
        url = url.strip().lower()
        return url.startswith(_SAFE_SCHEMES) or url.startswith(("/", "#"))

    md.validateLink = validate
    return md


def render_markdown(text: str) -> Markup:
    """Safe HTML for a template (already escaped: mark it as such)."""
    html = _renderer().render(text or "")
    # links leave the site without telling it where they came from
    html = html.replace("<a href=", '<a rel="noopener nofollow" href=')
    return Markup(html)

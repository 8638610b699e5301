"""Render a page with what every page needs (the signed-in person, the organizer)."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.response import Template


def _organizer_of(context: dict, request: Request) -> str:
    """The organizer whose logo heads the page: the event's, the organizer page's, or the site's."""
    for key in ("event", "organizer"):
        shown = context.get(key)
        slug = getattr(shown, "organizer", None) if key == "event" else getattr(shown, "slug", None)
        if isinstance(slug, str) and slug:
            return slug
    return request.app.state.settings.default_organizer


def page(request: Request, name: str, *, status_code: int = 200, **context: Any) -> Template:
    context.setdefault("principal", getattr(request.state, "principal", None))
    context.setdefault("routes", request.app.route_handler_method_map)  # links to areas that are mounted
    context.setdefault("logo_url", f"/organizers/{_organizer_of(context, request)}/logo")
    return Template(name, context=context, status_code=status_code, media_type=MediaType.HTML)

"""Render a page with what every page needs (the signed-in person, the organizer)."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request, Response
from litestar.response import Template

from confops.accounts import brands


def _organizer_of(context: dict) -> int | str | None:
    """The organizer a page is about, as an id or a slug: the event's (an event view names its
    organizer's slug, an event row its id), the registration catalog's event's, or the organizer
    page's (or a slug a page passes as `organizer`); None for a page about no organizer."""
    catalog = context.get("catalog")
    for shown in (context.get("event"), getattr(catalog, "event", None)):
        found = shown.get("organizer") if isinstance(shown, dict) else getattr(shown, "organizer", None)
        if isinstance(found, int | str) and not isinstance(found, bool) and found != "":
            return found
    organizer = context.get("organizer")
    if isinstance(organizer, str) and organizer:
        return organizer
    found = organizer.get("slug") if isinstance(organizer, dict) else getattr(organizer, "slug", None)
    return found if isinstance(found, str) and found else None


def page(request: Request, name: str, *, status_code: int = 200, **context: Any) -> Template:
    context.setdefault("principal", getattr(request.state, "principal", None))
    context.setdefault("routes", request.app.route_handler_method_map)  # links to areas that are mounted
    return Template(name, context=context, status_code=status_code, media_type=MediaType.HTML)


def brand_pages(default_organizer: str):
    """The app's after-request hook: every page is in the name, and under the logo, of the
    organizer it is about (`brand`, `logo_url`), the default organizer's where it is about none
    (sign-in, a person's account). Read here rather than in `page()` because a name not yet
    known to this process is looked up (accounts.brands)."""

    async def name_the_page(response: Response) -> Response:
        if isinstance(response, Template) and isinstance(response.context, dict):
            context = response.context
            if "brand" not in context:
                context["brand"] = await brands.of(_organizer_of(context) or default_organizer,
                                                   default=default_organizer)
            context.setdefault("logo_url", f"/organizers/{context['brand'].slug or default_organizer}/logo")
        return response

    return name_the_page

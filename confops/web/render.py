"""Render a page with what every page needs (the signed-in person, the organizer)."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.response import Template


def page(request: Request, name: str, *, status_code: int = 200, **context: Any) -> Template:
    context.setdefault("principal", getattr(request.state, "principal", None))
    context.setdefault("routes", request.app.route_handler_method_map)  # links to areas that are mounted
    return Template(name, context=context, status_code=status_code, media_type=MediaType.HTML)

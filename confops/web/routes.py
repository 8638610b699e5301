"""The app's routes, collected one way: every area package under web/ (web/<area>/__init__.py)
lists its route handlers in ROUTES and may offer make_plugins(settings) for Litestar plugins it
needs. Areas are found by looking, in name order, so an area lands without editing a shared list."""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

import confops.web


def areas() -> list[ModuleType]:
    found = sorted(m.name for m in pkgutil.iter_modules(confops.web.__path__) if m.ispkg)
    return [importlib.import_module(f"confops.web.{name}") for name in found]


def route_handlers() -> list:
    handlers = []
    for area in areas():
        handlers.extend(area.ROUTES)  # an area package without ROUTES is a mistake: fail at start-up
    return handlers


def area_plugins(settings) -> list:
    plugins = []
    for area in areas():
        make = getattr(area, "make_plugins", None)
        if make is not None:
            plugins.extend(make(settings))
    return plugins

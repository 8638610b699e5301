"""Each area of the app (check-in, badges, groups, CME, back office…) registers its web parts here.

A module in this package may define:
  ROUTES   route handlers and controllers to mount
  PLUGINS  Litestar plugins it needs (e.g. channels for live check-in counts)
The app collects them in module-name order, so areas can land independently without
editing one shared list.
"""

from __future__ import annotations

import importlib
import pkgutil


def _modules() -> list:
    return [importlib.import_module(f"{__name__}.{m.name}")
            for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name)]


def area_routes() -> list:
    return [handler for module in _modules() for handler in getattr(module, "ROUTES", [])]


def area_plugins(settings) -> list:
    plugins = []
    for module in _modules():
        make = getattr(module, "make_plugins", None)
        if make is not None:
            plugins.extend(make(settings))
    return plugins

"""The import contract of DESIGN.md, read from the source (every import, at module level or in a
function): areas import only downward, services never import web/, and controllers do not
query tables. No upward import is left; the controllers that still read tables are listed by
name below, so a new shortcut fails this test, and mending one of them fails it too until its
line is deleted: the list only shrinks."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# DESIGN.md, top to bottom; an area may import its own layer and the ones below it.
LAYERS = (("web",), ("backoffice", "cme", "badges", "groups", "series", "attendance"), ("documents",), ("checkin", "payments"),
          ("registration",), ("events", "speakers"), ("accounts",), ("core",))
RANK = {area: n for n, layer in enumerate(LAYERS) for area in layer}
NOT_AREAS = {"demo"}  # the demo data loader stands above everything, like the app and the CLI

# Controllers that still read tables themselves instead of asking a service: none, and it stays so.
KNOWN_WEB_TABLES: set[str] = set()


def _area(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "confops" and parts[1] in RANK else None


def _imports() -> dict[str, set[str]]:
    """Every confops module and the confops modules it imports (`from a.b import c` names a.b)."""
    found: dict[str, set[str]] = {}
    for path in sorted((ROOT / "confops").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        names = found.setdefault(module, set())
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
    return found


def test_every_area_has_its_layer():
    areas = {p.name for p in (ROOT / "confops").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert not areas - set(RANK) - NOT_AREAS, f"place these areas in LAYERS: {sorted(areas - set(RANK) - NOT_AREAS)}"


def test_areas_import_only_downward():
    upward = set()
    for module, names in _imports().items():
        source = _area(module)
        for name in names:
            target = _area(name)
            if source and target and RANK[target] < RANK[source]:
                upward.add((module, target))
    assert not upward, f"imports up the layers of DESIGN.md: {sorted(upward)}"


def test_controllers_ask_services_not_tables():
    reading = {module for module, names in _imports().items()
               if module.startswith("confops.web.") and any(n.endswith(".tables") or ".tables." in n for n in names)}
    assert not reading - KNOWN_WEB_TABLES, f"controllers importing tables: {sorted(reading - KNOWN_WEB_TABLES)}"
    assert not KNOWN_WEB_TABLES - reading, f"mended, delete from KNOWN_WEB_TABLES: {sorted(KNOWN_WEB_TABLES - reading)}"

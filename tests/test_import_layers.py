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


def _top_level(tree: ast.Module) -> tuple[set[str], dict[str, str]]:
    """A module's own names (defined at its top level) and the names it imports, with the
    module each comes from."""
    defined: set[str] = set()
    imported: dict[str, str] = {}
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            defined.add(node.name)
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined.update(n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name))
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.update({alias.asname or alias.name: node.module for alias in node.names})
    return defined, imported


def test_every_name_is_imported_from_its_home():
    """A name has one import path: the module that defines it. Importing it through a module
    that only imported it too (an enum moved out of tables.py and still reachable there, a
    helper "re-exported" by a service) leaves two paths, and the second outlives every move."""
    sources = [*sorted((ROOT / "confops").rglob("*.py")), *sorted((ROOT / "tests").rglob("*.py")),
               *sorted((ROOT / "bench").rglob("*.py"))]
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sources}
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): t
               for p, t in trees.items() if p.is_relative_to(ROOT / "confops")}
    tops = {module: _top_level(tree) for module, tree in modules.items()}
    passed_through, re_exported = set(), set()
    for path, tree in trees.items():
        where = str(path.relative_to(ROOT))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module in tops:
                defined, imported = tops[node.module]
                for alias in node.names:
                    if (alias.name in imported and alias.name not in defined
                            and f"{node.module}.{alias.name}" not in modules):
                        passed_through.add(f"{where}: {alias.name} from {node.module} (its home: "
                                           f"{imported[alias.name]})")
                    if alias.asname == alias.name and node.module.startswith("confops."):
                        re_exported.add(f"{where}: {alias.name} as {alias.name}")
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__all__" for t in node.targets):
                own, imported = _top_level(tree)
                names = {e.value for e in ast.walk(node.value) if isinstance(e, ast.Constant)}
                re_exported.update(f"{where}: __all__ lists {n}" for n in names
                                   if n in imported and n not in own and imported[n].startswith("confops."))
    assert not passed_through, f"import these from their home: {sorted(passed_through)}"
    assert not re_exported, f"re-exports (a second import path): {sorted(re_exported)}"

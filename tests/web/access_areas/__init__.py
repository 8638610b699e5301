"""Each area's lines of the role table, one module per area (RULES = {...}), merged by access_matrix."""

import importlib
import pkgutil


def area_rules() -> dict[str, str]:
    rules: dict[str, str] = {}
    for m in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{__name__}.{m.name}")
        overlap = set(rules) & set(module.RULES)
        assert not overlap, f"{m.name} repeats rules: {sorted(overlap)}"
        rules.update(module.RULES)
    return rules

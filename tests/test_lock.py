"""Every run-time and test dependency is pinned to an exact version, and the pins agree with
each other and with what each package declares (the redis client was pinned outside what
litestar[redis] declares; 65 of 84 run-time packages were unpinned)."""

from importlib.metadata import PackageNotFoundError, distribution, requires
from pathlib import Path

from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]


def _pins(name: str) -> dict[str, str]:
    pins = {}
    for line in (ROOT / name).read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            package, _, version = line.partition("==")
            assert version, f"{name}: {line!r} is not an exact pin"
            pins[package.lower().replace("_", "-")] = version
    return pins


def _closure(root: str, extras: set[str]) -> dict[str, set[str]]:
    """Every distribution `root` needs (with these extras), as installed here."""
    seen: dict[str, set[str]] = {}
    todo = [(root, extras)]
    while todo:
        name, wanted = todo.pop()
        key = name.lower().replace("_", "-")
        if key in seen and wanted <= seen[key]:
            continue
        seen.setdefault(key, set()).update(wanted)
        for raw in requires(name) or []:
            req = Requirement(raw)
            env = [{"extra": e} for e in (wanted or {""})]
            if req.marker and not any(req.marker.evaluate(e) for e in env):
                continue
            try:
                distribution(req.name)
            except PackageNotFoundError:
                raise AssertionError(f"{req.name} (needed by {name}) is not installed") from None
            todo.append((req.name, set(req.extras)))
    seen.pop("confops")
    return seen


def test_every_run_time_dependency_is_pinned_and_installed_at_its_pin():
    pins = _pins("requirements.lock")
    for name in _closure("confops", set()):
        assert name in pins, f"{name} is a run-time dependency missing from requirements.lock (run make lock)"
        assert distribution(name).version == pins[name], f"{name}: installed {distribution(name).version}, locked {pins[name]}"


def test_the_test_lock_holds_the_run_time_pins_and_every_test_dependency():
    run, test = _pins("requirements.lock"), _pins("requirements-test.lock")
    assert {k: test.get(k) for k in run} == run
    for name in _closure("confops", {"test"}):
        assert name in test, f"{name} is missing from requirements-test.lock (run make lock)"


def test_each_pin_satisfies_what_the_packages_declare():
    pins = _pins("requirements-test.lock")
    for name in pins:
        for raw in requires(name) or []:
            req = Requirement(raw)
            if req.marker and not req.marker.evaluate({"extra": ""}):
                continue
            dep = req.name.lower().replace("_", "-")
            if dep in pins:
                assert req.specifier.contains(pins[dep], prereleases=True), f"{name} needs {req}, locked {pins[dep]}"
    # confops's own extras too: litestar[redis] declares the redis client it supports
    for raw in requires("litestar"):
        req = Requirement(raw)
        if req.name == "redis" and req.marker and req.marker.evaluate({"extra": "redis"}):
            assert req.specifier.contains(pins["redis"]), f"litestar[redis] needs {req}, locked {pins['redis']}"

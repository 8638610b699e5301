"""confops installs from its wheel and runs outside a checkout: the wheel carries templates,
migrations, static files, badge layouts and fonts, and an empty folder plus environment
settings is all `confops migrate && confops serve` need. Before, `pip wheel .` gave a package
without templates, migrations, layouts, fonts and 6 of 7 static files, and it only ran from a
git checkout."""

from __future__ import annotations

import subprocess
import sys
import time
import venv
import zipfile
from pathlib import Path

import httpx
import pytest

from tests.support.smtp import free_port

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=600)
    assert build.returncode == 0, build.stderr[-3000:]
    return next(out.glob("confops-*.whl"))


def _files(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and "__pycache__" not in p.parts and not p.name.startswith(".")}


def test_the_wheel_carries_every_file_the_app_reads(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for folder in ("templates", "migrations", "badges"):
        expected = {f"confops/_shipped/{folder}/{f}" for f in _files(ROOT / folder)}
        assert expected and expected <= names, sorted(expected - names)[:10]
    static = {f"confops/web/static/{f}" for f in _files(ROOT / "confops" / "web" / "static")}
    assert static <= names, sorted(static - names)
    assert "settings.py" in names


def test_installed_from_the_wheel_it_migrates_and_serves_from_an_empty_folder(wheel, tmp_path, smtp_server):
    env_dir, home = tmp_path / "venv", tmp_path / "site"
    home.mkdir()
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python, confops = env_dir / "bin" / "python", env_dir / "bin" / "confops"
    install = subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-compile", "-c", str(ROOT / "requirements.lock"),
                              str(wheel)], capture_output=True, text=True, timeout=900, cwd=home)
    assert install.returncode == 0, install.stderr[-3000:]
    port = free_port()
    env = {"PATH": f"{env_dir / 'bin'}:/usr/bin:/bin", "HOME": str(tmp_path), "CONFOPS_ENV": "production",
           "CONFOPS_SECRET_KEY": "p" * 48, "CONFOPS_BASE_URL": f"https://127.0.0.1:{port}",
           "CONFOPS_SMTP_URL": smtp_server.url, "CONFOPS_MAIL_FROM": "ABS Events <events@abs.test>"}
    migrate = subprocess.run([str(confops), "migrate"], cwd=home, env=env, capture_output=True, text=True, timeout=300)
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    assert (home / "var" / "confops.db").is_file()  # the default database is in the working folder's var/
    log = (tmp_path / "serve.log").open("wb")
    server = subprocess.Popen([str(confops), "serve", "--port", str(port)], cwd=home, env=env,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        base, deadline, health = f"http://127.0.0.1:{port}", time.monotonic() + 120, None
        while health is None:
            assert server.poll() is None and time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-3000:]
            try:
                health = httpx.get(f"{base}/health", timeout=2)
            except httpx.HTTPError:
                time.sleep(0.3)
        body = health.json()
        assert health.status_code == 200 and body["database"] == body["migrations"] == body["storage"] == "ok", body
        events = httpx.get(f"{base}/events", timeout=10)
        assert events.status_code == 200 and "<html" in events.text.lower()
        assert httpx.get(f"{base}/static/checkin/scanner.js", timeout=10).status_code == 200
        assert httpx.get(f"{base}/staff/login", timeout=10).status_code == 200
        # JSON request log lines, written together a moment after the requests
        deadline = time.monotonic() + 10
        while '"route": "/events"' not in (tmp_path / "serve.log").read_text():
            assert time.monotonic() < deadline, (tmp_path / "serve.log").read_text()[-3000:]
            time.sleep(0.1)
    finally:
        server.terminate()
        server.wait(timeout=30)
    assert "site-packages" not in str(next(home.rglob("confops.db")))

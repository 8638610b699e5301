"""The `confops` command, run as a user runs it."""

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def confops(*args, env=None, input=None):
    return subprocess.run([sys.executable, "-m", "confops.cli", *args], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, **(env or {})}, input=input, timeout=120)


def test_help_explains_each_command():
    out = confops("--help")
    assert out.returncode == 0
    for command in ("migrate", "demo", "serve", "createuser", "worker"):
        assert command in out.stdout
    assert "--workers" in confops("serve", "--help").stdout


@pytest.fixture
def fresh_env(tmp_path):
    return {"CONFOPS_VAR_DIR": str(tmp_path), "CONFOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
            "CONFOPS_ENV": "development"}


def test_migrate_demo_createuser_worker_on_a_fresh_database(fresh_env):
    assert confops("migrate", env=fresh_env).returncode == 0
    first = confops("demo", env=fresh_env)
    assert first.returncode == 0 and "admin@example.org / confops-demo" in first.stdout
    second = confops("demo", env=fresh_env)
    assert "0 rows created" in second.stdout
    made = confops("createuser", "--email", "new@example.org", "--name", "New Person", "--role", "registrar",
                   "--role", "checkin", "--password", "a-long-password", env=fresh_env)
    assert made.returncode == 0 and "Created new@example.org" in made.stdout
    bad = confops("createuser", "--email", "bad", "--name", "X", "--role", "admin", "--password", "short", env=fresh_env)
    assert bad.returncode != 0 and "email" in bad.stderr and "password" in bad.stderr
    prompted = confops("createuser", "--email", "p@example.org", "--name", "P", "--role", "admin", env=fresh_env,
                       input="a-long-password\na-long-password\n")
    assert prompted.returncode == 0, prompted.stderr
    worker = confops("worker", "--once", env=fresh_env)
    assert worker.returncode == 0 and "purge-expired-login-links: 0" in worker.stdout


def test_demo_is_refused_in_production(fresh_env):
    env = {**fresh_env, "CONFOPS_ENV": "production", "CONFOPS_SECRET_KEY": "s" * 40,
           "CONFOPS_BASE_URL": "https://x.example.org", "CONFOPS_SMTP_URL": "smtp://127.0.0.1:1",
           "CONFOPS_MAIL_FROM": "Events <events@abs.test>"}
    out = confops("demo", env=env)
    assert out.returncode != 0 and "refused in production" in out.stderr


def test_bad_settings_stop_the_command_with_the_reason(fresh_env):
    out = confops("migrate", env={**fresh_env, "CONFOPS_DATABASE_URL": "mysql://nope"})
    assert out.returncode != 0 and "CONFOPS_DATABASE_URL must start" in out.stderr


@pytest.mark.parametrize("server", ["uvicorn", "granian"])
def test_serve_with_several_workers(fresh_env, server):
    import time

    import httpx

    from tests.support.smtp import free_port

    assert confops("migrate", env=fresh_env).returncode == 0
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "confops.cli", "serve", "--port", str(port), "--workers", "2", "--server", server],
        cwd=ROOT, env={**os.environ, **fresh_env}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group, so no worker outlives the test
    )
    try:
        deadline, answer = time.monotonic() + 30, None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/health", timeout=1)
            except httpx.HTTPError:
                time.sleep(0.2)
        assert answer is not None and answer.json()["database"] == "ok"
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:  # a loaded machine: do not leave servers behind
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)


def test_an_admin_who_lost_the_second_factor_is_reset_from_the_command_line(fresh_env):
    assert confops("migrate", env=fresh_env).returncode == 0
    assert confops("demo", env=fresh_env).returncode == 0  # the organizer the role is at
    made = confops("createuser", "--email", "lost@example.org", "--name", "Lost Phone", "--role", "admin",
                   "--password", "long-enough-password", env=fresh_env)
    assert made.returncode == 0
    reset = confops("reset-second-factor", "lost@example.org", env=fresh_env)
    assert reset.returncode == 0 and "removed" in reset.stdout
    unknown = confops("reset-second-factor", "nobody@example.org", env=fresh_env)
    assert unknown.returncode != 0 and "no account" in unknown.stderr


def test_without_a_base_url_development_links_follow_the_served_address(fresh_env):
    """`make run PORT=18000` served on 18000 while e-mailed links, QR codes and calendar URLs
    said 8000. Without CONFOPS_BASE_URL they now follow `confops serve --port`."""
    import re
    import time

    import httpx

    from tests.support.smtp import free_port

    env = {k: v for k, v in {**os.environ, **fresh_env}.items() if k != "CONFOPS_BASE_URL"}
    migrated = subprocess.run([sys.executable, "-m", "confops.cli", "migrate"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)
    assert "already complete" not in migrated.stdout and "not yet run" not in migrated.stdout
    assert re.search(r"Database is up to date\. Applied (\d+) of \1 migrations\.", migrated.stdout), migrated.stdout
    again = subprocess.run([sys.executable, "-m", "confops.cli", "migrate"], cwd=ROOT, env=env,
                           capture_output=True, text=True, timeout=120)
    assert "migrations were already applied" in again.stdout
    demo = subprocess.run([sys.executable, "-m", "confops.cli", "demo"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert ":8000" not in demo.stdout  # it cannot know the port yet, so it names none
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "confops.cli", "serve", "--port", str(port)], cwd=ROOT,
                               env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        base, deadline, page = f"http://127.0.0.1:{port}", time.monotonic() + 60, None
        while time.monotonic() < deadline and page is None:
            try:
                page = httpx.get(f"{base}/events/abs-national-meeting", timeout=2)
            except httpx.HTTPError:
                time.sleep(0.2)
        session = re.search(r"/events/abs-national-meeting/sessions/(\d+)", page.text)[1]
        ics = httpx.get(f"{base}/events/abs-national-meeting/sessions/{session}/calendar.ics", timeout=10).text
        assert f"{base}/events/abs-national-meeting/sessions/{session}" in ics.replace("\r\n ", "")
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)

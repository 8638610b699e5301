"""Shared fixtures: both database engines, the app over HTTP, a real SMTP server, a live server
and a real Chromium.

Set CONFOPS_TEST_DATABASE_URL to a PostgreSQL server to run every database test on PostgreSQL
as well as SQLite. Set CONFOPS_TEST_STRICT=1 (CI does) to turn every skip into a failure.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from settings import Settings
from tests.support import databases
from tests.support.http import running
from tests.support.live import LiveServer, server_env
from tests.support.smtp import SmtpServer

STRICT = os.environ.get("CONFOPS_TEST_STRICT") == "1"
PG_URL = os.environ.get(databases.PG_ENV, "")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
TEST_SECRET = "test-secret-key-that-is-long-enough-0123456789"

# Property tests judge answers, not speed: on a loaded CI machine the default 200 ms deadline and
# the too-slow health check failed examples that were right.
hypothesis_settings.register_profile("confops", deadline=None, suppress_health_check=[HealthCheck.too_slow])
hypothesis_settings.load_profile("confops")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[-1] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under CONFOPS_TEST_STRICT=1 (CI must run everything): {reason}"


def pytest_report_header(config):
    engines = "sqlite" + (", postgres" if PG_URL else " (set CONFOPS_TEST_DATABASE_URL for postgres)")
    return [f"confops engines: {engines}; strict={STRICT}; chromium={CHROMIUM or 'missing'}"]


ENGINES = ["sqlite", "postgres"]


@pytest.fixture(scope="session")
def _databases(tmp_path_factory):
    made: dict[str, databases.TestDatabase] = {}
    made["sqlite"] = databases.create_sqlite(tmp_path_factory.mktemp("sqlite"))
    if PG_URL:
        made["postgres"] = databases.create_postgres(PG_URL)
    yield made
    if "postgres" in made:
        databases.drop_postgres(made["postgres"], PG_URL)


@pytest.fixture(params=ENGINES)
def db(request, _databases) -> databases.TestDatabase:
    """An empty, migrated database; the test runs once per engine."""
    return _fresh(_databases, request.param)


@pytest.fixture
def pg_db(_databases) -> databases.TestDatabase:
    """PostgreSQL alone, for what only it can show (two sessions writing at the same moment;
    SQLite has one writer at a time)."""
    return _fresh(_databases, "postgres")


def _fresh(made: dict[str, databases.TestDatabase], kind: str) -> databases.TestDatabase:
    if kind not in made:
        pytest.skip("PostgreSQL run needs CONFOPS_TEST_DATABASE_URL")
    database = made[kind]
    database.activate()
    database.empty()
    from confops.accounts import brands
    from confops.registration import catalog_cache

    brands.forget()  # the organizers this process knew were the last test's
    catalog_cache.forget_all()  # so were the catalogs it kept (same slugs, same ids)
    return database


@pytest.fixture(scope="session")
def smtp_server():
    server = SmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def inbox(smtp_server):
    smtp_server.inbox.clear()
    return smtp_server.inbox


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory):
    """A real S3-compatible server (moto in server mode) for the test session."""
    from tests.support import s3

    if not s3.available():
        pytest.skip("moto is not installed (pip install -e '.[test]')")
    server = s3.S3Server.start(tmp_path_factory.mktemp("moto"))
    yield server
    server.stop()


@pytest.fixture
def s3_bucket(s3_server) -> dict[str, str]:
    """A fresh bucket: the Settings fields that point confops at it."""
    return s3_server.settings_for(s3_server.new_bucket())


@pytest.fixture
def var_dir(tmp_path) -> Path:
    path = tmp_path / "var"
    path.mkdir()
    return path


@pytest.fixture
def settings(db, var_dir, smtp_server) -> Settings:
    return Settings(
        env="test",
        database_url=db.url,
        secret_key=TEST_SECRET,
        base_url="http://testserver.local",
        var_dir=var_dir,
        smtp_url=smtp_server.url,
        in_app_worker=False,
    )


@pytest.fixture
def app(settings):
    from confops.app import create_app

    return create_app(settings)


@pytest.fixture
async def client(app):
    async with running(app) as http:
        yield http


@pytest.fixture
def deliver(app):
    """Send the queued e-mail now (the in-app worker is off in tests); returns how many."""
    from confops.core.outbox import deliver_due

    async def send() -> int:
        return await deliver_due(app.state.mailer)

    return send


# Loading the demo takes seconds and nearly two hundred tests on each engine start from it, so
# each test process loads it once per database and later tests get the same rows back from a
# snapshot. The demo's dates follow the clock, so a snapshot older than a few minutes, or a
# test that has moved the clock, loads it anew.
_DEMO_FRESH_SECONDS = 300.0
_demo_snapshots: dict[tuple[str, str], tuple[float, object]] = {}


@pytest.fixture
async def demo(db):
    """The demo society in the test database, as load_demo() writes it."""
    import copy

    from confops.core import clock
    from confops.demo.abs import load_demo
    from confops.registration.config import CONFIG

    # The orders' self-service token hashes are made with the secret the process has then: a
    # snapshot loaded before any app was configured holds tokens a test's app would not accept.
    key = (db.url, CONFIG.secret)
    taken = _demo_snapshots.get(key)
    if clock._frozen is None and taken and time.monotonic() - taken[0] < _DEMO_FRESH_SECONDS:
        db.restore()
        return copy.copy(taken[1])
    result = await load_demo()
    if clock._frozen is None:
        db.snapshot()
        for other in [k for k in _demo_snapshots if k[0] == db.url]:  # one snapshot a database
            del _demo_snapshots[other]
        _demo_snapshots[key] = (time.monotonic(), copy.copy(result))
    return result


@pytest.fixture
def live_server(db, var_dir, smtp_server):
    server = LiveServer(server_env(db.url, var_dir, smtp_server.url, TEST_SECRET))
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def browser():
    """A real headless Chromium (Debian's), driven by Playwright's async API in the test's loop."""
    if not CHROMIUM:
        pytest.skip("Chromium is not installed (apt-get install -y chromium)")
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        pytest.skip("playwright is not installed")
    async with async_playwright() as p:
        instance = await p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        )
        yield instance
        await instance.close()


@pytest.fixture
async def page(browser):
    context = await browser.new_context(viewport={"width": 1100, "height": 900})
    page = await context.new_page()
    yield page
    await context.close()

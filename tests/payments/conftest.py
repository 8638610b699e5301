"""Stripe for payment tests: a real localstripe emulator per test session on a free loopback
port, the app configured against it, and a live server whose webhook URL localstripe calls."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import TEST_SECRET
from tests.support.live import LiveServer, server_env
from tests.support.smtp import free_port

WEBHOOK_SECRET = "whsec_confops_test_secret"
SECRET_KEY = "sk_test_confops"
LOCALSTRIPE = Path(sys.executable).parent / "localstripe"


@pytest.fixture(scope="session")
def localstripe(tmp_path_factory):
    port = free_port()
    log = (tmp_path_factory.mktemp("localstripe") / "localstripe.log").open("wb")
    process = subprocess.Popen([str(LOCALSTRIPE), "--port", str(port), "--from-scratch"],
                               stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 20
    while True:
        try:
            httpx.get(f"{url}/v1/balance", headers={"Authorization": f"Bearer {SECRET_KEY}"}, timeout=1)
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise RuntimeError("localstripe did not start") from None
            time.sleep(0.1)
    yield url
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def settings(settings, localstripe):
    return dataclasses.replace(settings, stripe_secret_key=SECRET_KEY, stripe_webhook_secret=WEBHOOK_SECRET,
                               stripe_api_base=localstripe)


def register_webhook(localstripe: str, url: str) -> None:
    response = httpx.post(f"{localstripe}/_config/webhooks/confops",
                          data={"url": url, "secret": WEBHOOK_SECRET},
                          headers={"Authorization": f"Bearer {SECRET_KEY}"})
    assert response.status_code == 200, response.text


@pytest.fixture
def stripe_server(db, var_dir, smtp_server, localstripe):
    """`confops serve` configured for localstripe, its /webhooks/stripe registered there."""
    server = LiveServer(server_env(db.url, var_dir, smtp_server.url, TEST_SECRET,
                                   CONFOPS_STRIPE_SECRET_KEY=SECRET_KEY,
                                   CONFOPS_STRIPE_WEBHOOK_SECRET=WEBHOOK_SECRET,
                                   CONFOPS_STRIPE_API_BASE=localstripe))
    server.start()
    register_webhook(localstripe, f"{server.url}/webhooks/stripe")
    yield server
    server.stop()

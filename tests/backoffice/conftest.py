"""Back-office test helpers: sign in as a demo person, register extension providers for one test."""

from __future__ import annotations

import pytest

from confops.core import extension
from tests.support.http import post_form

DEMO_PASSWORD = "confops-demo"


async def sign_in(client, email: str) -> None:
    client.cookies.clear()
    r = await post_form(client, "/staff/login", {"email": email, "password": DEMO_PASSWORD}, page="/staff/login")
    assert r.status_code == 303, r.text


@pytest.fixture
def provide():
    """Register a provider of a named hook for this test only (as another area's listeners would)."""
    added: list[tuple[str, object]] = []

    def register(name: str, fn):
        extension._load()
        extension.provides(name)(fn)
        added.append((name, fn))
        return fn

    yield register
    for name, fn in added:
        extension._providers[name].remove(fn)

"""Signing people in for HTTP tests through the real single-use link flow."""

from __future__ import annotations

from confops.accounts.service import issue_login_link
from confops.accounts.tables import User
from tests.support.http import post_form


async def sign_in(client, email: str) -> None:
    client.cookies.clear()
    user = await User.select(User.id).where(User.email == email).first()
    token = await issue_login_link(user["id"], next_path="/speaker", valid_minutes=5)
    r = await post_form(client, f"/login/link/{token}", {}, page=f"/login/link/{token}")
    assert r.status_code == 303, r.text


async def staff_sign_in(client, email: str = "admin@example.org") -> None:
    client.cookies.clear()
    r = await post_form(client, "/staff/login", {"email": email, "password": "confops-demo", "next": "/staff"},
                        page="/staff/login")
    assert r.status_code == 303

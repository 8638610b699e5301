"""The second step of a staff sign-in, done through the pages as the person would.

First sign-in of an admin: the setup page shows the authenticator key; a code computed from it
turns the second factor on (the recovery codes are shown), then the sign-in starts again and
asks for a code. Each later sign-in gives a fresh recovery code (made for the test through the
service): authenticator codes work once per 30 seconds, and tests sign in faster than that.
"""

from __future__ import annotations

import re

import httpx
import pyotp

from confops.accounts.tables import User

SETUP = "/staff/login/second-factor/setup"
SECOND = "/staff/login/second-factor"


def secret_on(page_html: str) -> str:
    shown = re.search(r'id="secret">([A-Z2-7 ]+)</code>', page_html)
    assert shown, "the setup page shows the authenticator key"
    return shown.group(1).replace(" ", "")


async def finish_staff_sign_in(client: httpx.AsyncClient, response: httpx.Response, data: dict) -> httpx.Response:
    where = response.headers.get("location", "")
    if where == SETUP:
        setup = await client.get(SETUP)
        code = pyotp.TOTP(secret_on(setup.text)).now()
        done = await client.post(SETUP, data={"code": code, "_csrf_token": client.cookies["confops_csrf"]})
        assert done.status_code == 200 and "recovery-codes" in done.text, done.text
        response = await client.post("/staff/login", data={**data, "_csrf_token": client.cookies["confops_csrf"]})
        where = response.headers.get("location", "")
    if where != SECOND:
        return response
    from confops.accounts import second_factor

    user = await User.select(User.id).where(User.email == data["email"].strip().lower()).first()
    code = (await second_factor.new_recovery_codes(user["id"]))[0]
    return await client.post(SECOND, data={"code": code, "_csrf_token": client.cookies["confops_csrf"]})

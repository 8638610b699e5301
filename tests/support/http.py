"""HTTP helpers: run the app's lifespan in one long-lived task and talk to it with httpx."""

from __future__ import annotations

import asyncio
import contextlib
import re
from collections.abc import AsyncIterator

import httpx
from litestar import Litestar

BASE_URL = "http://testserver.local"


@contextlib.asynccontextmanager
async def running(app: Litestar) -> AsyncIterator[httpx.AsyncClient]:
    started, stop = asyncio.Event(), asyncio.Event()
    failure: list[BaseException] = []

    async def lifespan() -> None:
        try:
            async with app.lifespan():
                started.set()
                await stop.wait()
        except BaseException as exc:  # surface start-up failures in the test, not as a hang
            failure.append(exc)
            started.set()
            raise

    task = asyncio.create_task(lifespan())
    await started.wait()
    if failure:
        raise failure[0]
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=BASE_URL) as client:
            yield client
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=30)


def csrf_token(client: httpx.AsyncClient) -> str:
    token = client.cookies.get("confops_csrf")
    assert token, "GET a page first: the CSRF cookie is set on safe requests"
    return token


async def post_form(client: httpx.AsyncClient, url: str, data: dict, *, page: str | None = None,
                    second_step: bool = True) -> httpx.Response:
    """Submit a form as a browser would: load the page (for the CSRF cookie), then POST.

    A staff sign-in (`/staff/login`) that asks for its second step gets it, as its person
    would give it (`second_step=False` stops at the password's answer): the answer returned is
    then the second step's redirect to the page asked for."""
    if page is not None or not client.cookies.get("confops_csrf"):
        await client.get(page or url)
    response = await client.post(url, data={**data, "_csrf_token": csrf_token(client)})
    if url == "/staff/login" and second_step and response.status_code == 303:
        from tests.support.second_factor import finish_staff_sign_in

        response = await finish_staff_sign_in(client, response, data)
    return response


def links_in(text: str) -> list[str]:
    return re.findall(r"https?://[^\s\"'<>]+", text)

"""Redis configured but down (a closed port): sign-in, pages and the door keep working, live
counts fall back to polling the database, and the database down answers 503 with Retry-After."""

from __future__ import annotations

from dataclasses import replace

from confops.app import create_app
from tests.checkin.factory import make_door
from tests.support.http import post_form, running

CLOSED = "redis://127.0.0.1:9/0"  # the discard port: nothing answers Redis there


async def test_sign_in_pages_and_scans_work_with_redis_down(settings, demo, inbox):
    app = create_app(replace(settings, redis_url=CLOSED))
    async with running(app) as client:
        r = await post_form(client, "/staff/login", {"email": "registrar@example.org", "password": "confops-demo",
                                                     "next": "/staff"}, page="/staff/login")
        assert r.status_code == 303 and r.headers["location"] == "/staff"
        assert (await client.get("/staff")).status_code == 200
        assert (await client.get("/account/security/")).status_code == 200
        await post_form(client, "/logout", {}, page="/staff")
        assert (await client.get("/staff")).status_code == 303
        r = await post_form(client, "/login", {"email": "attendee@example.org"}, page="/login")
        assert r.status_code == 200 and "on its way" in r.text
        assert (await client.get("/events")).status_code == 200


async def test_the_door_and_live_counts_work_with_redis_down(settings, db):
    door = await make_door(1)
    app = create_app(replace(settings, redis_url=CLOSED))
    async with running(app) as client:
        r = await client.post("/api/v1/checkin/scan", headers={"authorization": f"Bearer {door.device_token}"},
                              json={"list_id": door.entry_list, "nonce": "n1", "token": await door.token(door.people[0])})
        assert r.status_code == 200 and r.json()["result"] == "ok"


async def test_live_counts_can_be_polled_from_the_database_with_redis_down(settings, db):
    from confops.accounts.service import create_user
    from confops.core.auth import Role

    door = await make_door(1)
    await create_user("door-staff@example.org", "Door Staff", password="door-staff-password",
                      roles=[("org-meeting", Role.checkin)])
    app = create_app(replace(settings, redis_url=CLOSED))
    async with running(app) as client:
        await client.post("/api/v1/checkin/scan", headers={"authorization": f"Bearer {door.device_token}"},
                          json={"list_id": door.entry_list, "nonce": "n1", "token": await door.token(door.people[0])})
        await post_form(client, "/staff/login", {"email": "door-staff@example.org", "password": "door-staff-password"},
                        page="/staff/login")
        counts = await client.get("/staff/events/meeting/checkin/counts", headers={"accept": "application/json"})
        assert counts.status_code == 200 and counts.json()[str(door.entry_list)] == 1


class _Proxy:
    """A TCP relay to the database that can be cut, as a network or a server going away would."""

    def __init__(self, host: str, port: int) -> None:
        self.target, self.server, self.links = (host, port), None, set()

    async def start(self) -> int:
        import asyncio

        async def relay(reader, writer):
            try:
                up_reader, up_writer = await asyncio.open_connection(*self.target)
            except OSError:
                writer.close()
                return
            self.links.update({writer, up_writer})

            async def pipe(src, dst):
                try:
                    while data := await src.read(65536):
                        dst.write(data)
                        await dst.drain()
                except (OSError, RuntimeError):
                    pass
                finally:
                    dst.close()

            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer))

        self.server = await asyncio.start_server(relay, "127.0.0.1", 0)
        return self.server.sockets[0].getsockname()[1]

    def cut(self) -> None:
        self.server.close()
        for link in self.links:
            link.close()


async def _sqlite_threads_stopped() -> None:
    """aiosqlite answers a connection that could not open at once but stops its thread a moment
    later, through this test's event loop: had the test ended first, the thread would find the loop
    closed and fail the next test."""
    import asyncio
    import threading

    for thread in threading.enumerate():
        if "_connection_worker_thread" in thread.name:
            await asyncio.to_thread(thread.join, 5)


async def test_the_database_down_answers_503_with_retry_after(settings, db, tmp_path):
    from urllib.parse import urlparse

    if db.url.startswith("sqlite"):
        folder = tmp_path / "data"
        folder.mkdir()
        path = folder / "confops.db"
        import shutil

        shutil.copy(db.url[len("sqlite:///"):], path)
        app = create_app(replace(settings, database_url=f"sqlite:///{path}"))
        async with running(app) as client:
            assert (await client.get("/events")).status_code == 200
            folder.rename(tmp_path / "gone")  # the disk went away
            try:
                page, api = await client.get("/events"), await client.get("/api/v1/events")
            finally:
                (tmp_path / "gone").rename(folder)
        await _sqlite_threads_stopped()
    else:
        url = urlparse(db.url)
        proxy = _Proxy(url.hostname, url.port or 5432)
        port = await proxy.start()
        import asyncio

        # In a thread: making the engine asks the server its version with a loop of its own.
        app = await asyncio.to_thread(create_app, replace(
            settings, database_url=url._replace(netloc=f"{url.username}@127.0.0.1:{port}").geturl()))
        async with running(app) as client:
            assert (await client.get("/events")).status_code == 200
            proxy.cut()
            page, api = await client.get("/events"), await client.get("/api/v1/events")
    assert page.status_code == 503 and page.headers["retry-after"].isdigit() and "try again" in page.text
    assert api.status_code == 503 and api.json()["code"] == "unavailable"

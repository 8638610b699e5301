"""Two hosts, as an operator runs them: two `confops serve` instances with separate var folders
and in-app workers, one `confops worker`, one PostgreSQL, one Redis and one S3-compatible
bucket (moto). What must hold across them: a file uploaded on one downloads on the other, a
scan on one shows in the other's live count, a periodic job runs once for the cluster, and a
price edit on one prices the next order on the other.

The servers are started once for the module (they take most of its time)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.conftest import PG_URL
from tests.support.databases import _pg_admin_url, _with_db, pg_execute, run_sync, unique_name
from tests.support.live import LiveServer
from tests.support.smtp import free_port

ROOT = Path(__file__).resolve().parents[1]
SECRET = "two-hosts-shared-secret-key-0123456789abcdef"
SLUG = "abs-national-meeting"


def _start_redis(port: int) -> subprocess.Popen:
    process = subprocess.Popen([shutil.which("redis-server"), "--port", str(port), "--save", "", "--appendonly", "no",
                                "--bind", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return process
        except OSError:
            assert time.monotonic() < deadline and process.poll() is None, "redis-server did not start"
            time.sleep(0.05)


@dataclass
class Cluster:
    db_url: str
    a: LiveServer
    b: LiveServer
    worker: subprocess.Popen
    worker_log: Path
    logs: list[Path] = field(default_factory=list)
    bucket: str = ""

    async def query(self, sql: str, *args) -> list[dict]:
        import asyncpg

        conn = await asyncpg.connect(self.db_url)
        try:
            return [dict(r) for r in await conn.fetch(sql, *args)]
        finally:
            await conn.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory, s3_server, smtp_server):
    if not PG_URL:
        pytest.skip("the two-host test needs PostgreSQL (CONFOPS_TEST_DATABASE_URL)")
    if not shutil.which("redis-server"):
        pytest.skip("the two-host test needs redis-server (apt-get install -y redis-server)")
    root = tmp_path_factory.mktemp("two-hosts")
    redis_port = free_port()
    redis = _start_redis(redis_port)
    name = unique_name("confops_two_hosts")
    run_sync(pg_execute(_pg_admin_url(PG_URL), f'CREATE DATABASE "{name}"'))
    db_url = _with_db(PG_URL, name)
    bucket = s3_server.new_bucket()
    shared = {"CONFOPS_ENV": "test", "CONFOPS_DATABASE_URL": db_url, "CONFOPS_SECRET_KEY": SECRET,
              "CONFOPS_REDIS_URL": f"redis://127.0.0.1:{redis_port}/0", "CONFOPS_INSTANCES": "2", "CONFOPS_SMTP_URL": smtp_server.url,
              "CONFOPS_LOG_FORMAT": "json", "CONFOPS_DB_POOL_SIZE": "4",
              **s3_server.env_for(bucket)}
    cli = [sys.executable, "-m", "confops.cli"]
    setup_env = {**os.environ, **shared, "CONFOPS_VAR_DIR": str(root / "setup")}
    for step in ("migrate", "demo"):
        done = subprocess.run([*cli, step], cwd=ROOT, env=setup_env, capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr[-3000:]
    a = LiveServer({**shared, "CONFOPS_VAR_DIR": str(root / "host-a")})
    b = LiveServer({**shared, "CONFOPS_VAR_DIR": str(root / "host-b")})
    worker_log = root / "worker.log"
    worker = None
    try:
        a.start()
        b.start()
        worker = subprocess.Popen([*cli, "worker"], cwd=ROOT, stdout=worker_log.open("wb"), stderr=subprocess.STDOUT,
                                  env={**os.environ, **shared, "CONFOPS_VAR_DIR": str(root / "worker"),
                                       "CONFOPS_BASE_URL": a.url})
        yield Cluster(db_url, a, b, worker, worker_log, [a.log, b.log, worker_log], bucket)
    finally:
        for server in (a, b):
            server.stop()
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        redis.terminate()
        redis.wait(timeout=10)
        run_sync(pg_execute(_pg_admin_url(PG_URL), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _form(client: httpx.AsyncClient, url: str, data: dict, page: str | None = None, **kw) -> httpx.Response:
    await client.get(page or url)
    return await client.post(url, data={**data, "_csrf_token": client.cookies["confops_csrf"]}, **kw)


async def _staff(base: str, email: str = "registrar@example.org") -> httpx.AsyncClient:
    client = httpx.AsyncClient(base_url=base, timeout=30)
    r = await _form(client, "/staff/login", {"email": email, "password": "confops-demo", "next": "/staff"})
    assert r.status_code == 303, r.text[-500:]
    return client


async def _speaker(cluster: Cluster, base: str, email: str, inbox) -> httpx.AsyncClient:
    """Signed in the way a speaker signs in: the e-mailed link (sent by whichever process runs
    the mail job)."""
    client = httpx.AsyncClient(base_url=base, timeout=30)
    inbox.clear()
    r = await _form(client, "/login", {"email": email})
    assert r.status_code in (200, 303)
    from tests.support.http import links_in
    from tests.support.smtp import body_text

    message = (await asyncio.to_thread(inbox.wait_for, email, 1, 60))[0]
    link = next(u for u in links_in(body_text(message)) if "/login/link/" in u)
    path = "/" + link.split("/", 3)[3]
    r = await _form(client, path, {})
    assert r.status_code == 303, r.text[-500:]
    return client


async def test_an_upload_on_one_host_downloads_on_the_other(cluster, inbox):
    import io

    from PIL import Image

    png = io.BytesIO()
    Image.new("RGB", (800, 500), (10, 90, 160)).save(png, "PNG")
    speaker = await _speaker(cluster, cluster.a.url, "olga@example.org", inbox)
    r = await speaker.post("/speaker/photo", data={"_csrf_token": speaker.cookies["confops_csrf"]},
                           files={"photo": ("me.png", png.getvalue(), "image/png")})
    await speaker.aclose()
    assert r.status_code == 303
    me = (await cluster.query("SELECT id, photo_path FROM speaker WHERE email = $1", "olga@example.org"))[0]
    async with httpx.AsyncClient(timeout=30) as anyone:
        on_a = await anyone.get(f"{cluster.a.url}/speakers/{me['id']}/photo")
        on_b = await anyone.get(f"{cluster.b.url}/speakers/{me['id']}/photo")
    assert on_b.status_code == 200 and on_b.content == on_a.content and on_b.content[:2] == b"\xff\xd8"
    for host in ("host-a", "host-b"):
        assert not list((cluster.a.log.parent.parent / host).rglob("*.jpg"))  # in the bucket, on no disk


async def test_a_scan_on_one_host_shows_in_the_other_hosts_live_count(cluster):
    import websockets

    from confops.checkin import keys, tokens

    event = (await cluster.query("SELECT id FROM event WHERE slug = $1", SLUG))[0]["id"]
    entry = (await cluster.query("SELECT id FROM checkin_list WHERE event = $1 AND kind = 'entry' ORDER BY id LIMIT 1",
                                 event))[0]["id"]
    person = (await cluster.query(
        'SELECT a.id, a.token_version FROM registration_attendee a JOIN registration_order o ON o.id = a."order" '
        "WHERE a.event = $1 AND o.status = 'confirmed' AND NOT EXISTS "
        "(SELECT 1 FROM checkin_scan s WHERE s.attendee = a.id) ORDER BY a.id LIMIT 1", event))[0]
    staff_b = await _staff(cluster.b.url)
    async with httpx.AsyncClient(base_url=cluster.a.url, timeout=30) as device:
        # the event's key is made on first use: ask host A for it as the scanner page does
        assert (await device.get("/api/v1/checkin/sync", headers={"authorization": "Bearer dev_demo-registration-desk"}
                                 )).status_code == 200
        row = (await cluster.query("SELECT generation, key_sealed FROM event_signing_key WHERE event = $1", event))[0]
        key = keys.unseal(event, row["generation"], row["key_sealed"], SECRET)
        badge = tokens.issue(key, person["id"], person["token_version"])
        cookie = "; ".join(f"{k}={v}" for k, v in staff_b.cookies.items())
        url = cluster.b.url.replace("http://", "ws://") + f"/staff/events/{SLUG}/checkin/live"
        async with websockets.connect(url, additional_headers={"Cookie": cookie}) as live_on_b:
            await asyncio.sleep(0.5)  # subscribed on B before the scan on A
            r = await device.post("/api/v1/checkin/scan", json={"list_id": entry, "token": badge, "nonce": "two-hosts-1"},
                                  headers={"authorization": "Bearer dev_demo-registration-desk"})
            assert r.status_code == 200 and r.json()["result"] == "ok", r.text
            message = json.loads(await asyncio.wait_for(live_on_b.recv(), timeout=15))
    await staff_b.aclose()
    assert message == {"list_id": entry, "delta": 1}


async def test_each_periodic_job_runs_once_for_the_cluster(cluster):
    """Three processes with workers (two hosts' in-app workers and `confops worker`): the daily
    and hourly jobs ran once, the frequent ones keep running, each run logged once."""
    deadline = time.monotonic() + 60
    while True:
        rows = {r["name"]: r for r in await cluster.query("SELECT * FROM job_state")}
        if len(rows) >= 5 and all(r["runs"] >= 1 for r in rows.values()):
            break
        assert time.monotonic() < deadline, rows
        await asyncio.sleep(0.5)
    await asyncio.sleep(3)  # every process has had rounds since
    rows = {r["name"]: r for r in await cluster.query("SELECT * FROM job_state")}
    assert rows["purge-personal-data"]["runs"] == 1 and rows["purge-expired-login-links"]["runs"] == 1
    assert rows["send-mail"]["runs"] >= 2
    runners = {r["last_host"].rsplit(":", 1)[0] for r in rows.values()}
    assert runners  # recorded which process ran each
    purge_lines = [line for log in cluster.logs for line in log.read_text().splitlines()
                   if '"job": "purge-personal-data"' in line and '"outcome"' in line]
    assert len(purge_lines) == 1 and json.loads(purge_lines[0])["outcome"] == "ok"


async def test_a_price_edit_on_one_host_prices_the_next_order_on_the_other(cluster):
    def order(key: str) -> dict:
        return {"buyer_name": "Ana Lima", "buyer_email": f"{key}@example.org", "idempotency_key": key,
                "attendees": [{"category": "member", "email": f"{key}@example.org", "first_name": "Ana",
                               "last_name": "Lima", "answers": {"first_meeting": "yes"}}]}

    async with httpx.AsyncClient(base_url=cluster.b.url, timeout=30) as b:
        first = await b.post(f"/api/v1/events/{SLUG}/orders", json=order("two-hosts-before"))
        assert first.status_code == 201, first.text
        assert first.json()["total_cents"] != 123400
        registrar = await _staff(cluster.a.url, "registrar@example.org")
        base = f"/staff/events/{SLUG}/registrations/catalog"
        r = await _form(registrar, f"{base}/categories/member",
                        {"early": "1234", "regular": "1234", "late": "1234", "capacity": ""}, page=f"{base}/")
        await registrar.aclose()
        assert r.status_code == 200 and "Category saved" in r.text
        second = await b.post(f"/api/v1/events/{SLUG}/orders", json=order("two-hosts-after-edit"))
    assert second.status_code == 201, second.text
    assert second.json()["total_cents"] == 123400


async def test_a_backup_of_the_database_and_the_bucket_restores_a_working_site(cluster, s3_server, tmp_path,
                                                                              smtp_server):
    """docs/deploy.md's backup, tried: pg_dump of the database, a copy of the bucket; restored
    into a new database and a new bucket, the site serves the files and every order."""
    import shutil

    from confops.app import create_app
    from confops.core.storage import copy_all, storage_from
    from settings import Settings
    from tests.support.http import running

    if not shutil.which("pg_dump") or not shutil.which("pg_restore"):
        pytest.skip("pg_dump and pg_restore are needed (apt-get install postgresql-client)")
    original = storage_from(Settings(**s3_server.settings_for(cluster.bucket)))
    await original.put("photos/backup-check.jpg", b"\xff\xd8 a photo to restore", "image/jpeg")
    await cluster.query("UPDATE speaker SET photo_path = 'photos/backup-check.jpg' WHERE email = 'maya@example.org'")
    dump = tmp_path / "confops.dump"
    done = await asyncio.to_thread(subprocess.run, ["pg_dump", "-Fc", "-f", str(dump), cluster.db_url],
                                   capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    name = unique_name("confops_restored")
    await pg_execute(_pg_admin_url(PG_URL), f'CREATE DATABASE "{name}"')
    restored_url = _with_db(PG_URL, name)
    try:
        done = await asyncio.to_thread(subprocess.run, ["pg_restore", "--no-owner", "-d", restored_url, str(dump)],
                                       capture_output=True, text=True, timeout=300)
        assert done.returncode == 0, done.stderr
        new_bucket = s3_server.new_bucket()
        restored_files = storage_from(Settings(**s3_server.settings_for(new_bucket)))
        copied, _ = await copy_all(original, restored_files)
        assert copied >= 1
        settings = Settings(env="test", database_url=restored_url, secret_key=SECRET, base_url="http://restored.test",
                            var_dir=tmp_path / "var", smtp_url=smtp_server.url, in_app_worker=False,
                            **s3_server.settings_for(new_bucket))
        orders = await cluster.query("SELECT id, total_cents FROM registration_order ORDER BY id")
        maya = (await cluster.query("SELECT id FROM speaker WHERE email = 'maya@example.org'"))[0]["id"]
        async with running(create_app(settings)) as site:
            health = (await site.get("/health")).json()
            photo = await site.get(f"/speakers/{maya}/photo")
            from confops.registration.tables import Order

            kept = await Order.select(Order.id, Order.total_cents).order_by(Order.id)
        assert health["database"] == health["migrations"] == health["storage"] == "ok", health
        assert photo.status_code == 200 and photo.content == b"\xff\xd8 a photo to restore"
        assert [dict(r) for r in kept] == orders and orders
    finally:
        await pg_execute(_pg_admin_url(PG_URL), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

"""The secret key: a host with another key answered 500 on every scan; there was no way to
rotate the key. Now that host says what is wrong (503, and /health names it), and
`confops rotate-secret` re-seals the check-in keys under a new key while the old one is still
accepted, so badges already printed keep scanning throughout."""

import asyncio
import dataclasses
import os
import subprocess
import sys
from pathlib import Path

from confops.backoffice.mailing_list import read_token, unsubscribe_token
from confops.checkin import devices
from confops.checkin.keys import accept_old_secrets
from confops.checkin.tables import EventSigningKey
from confops.registration.config import CONFIG
from tests.checkin.factory import make_door
from tests.checkin.test_api import scan
from tests.conftest import TEST_SECRET
from tests.support.http import running

ROOT = Path(__file__).resolve().parents[2]
NEW = "the-new-secret-key-after-rotation-0123456789"


async def test_a_host_with_another_secret_key_says_so_instead_of_failing_each_scan(settings):
    from confops.app import create_app

    door = await make_door(1)
    badge = await door.token(door.people[0])  # seals the event's key under TEST_SECRET
    devices.forget_cached()
    async with running(create_app(dataclasses.replace(settings, secret_key=NEW))) as other_host:
        r = await scan(other_host, door, badge)
        health = (await other_host.get("/health")).json()
    assert r.status_code == 503 and "CONFOPS_SECRET_KEY" in r.text
    assert health["secret_key"] == "degraded"


async def test_rotation_keeps_printed_badges_scanning(settings, tmp_path):
    from confops.app import create_app

    door = await make_door(2)
    badges = [await door.token(p) for p in door.people]
    devices.forget_cached()
    during = dataclasses.replace(settings, secret_key=NEW, old_secret_keys=(TEST_SECRET,))
    async with running(create_app(during)) as host:
        assert (await scan(host, door, badges[0])).json()["result"] == "ok"  # the old key still opens it
    env = {**os.environ, "CONFOPS_DATABASE_URL": settings.database_url, "CONFOPS_VAR_DIR": str(tmp_path),
           "CONFOPS_SECRET_KEY": NEW, "CONFOPS_OLD_SECRET_KEYS": TEST_SECRET}
    def rotate() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "confops.cli", "rotate-secret"], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    run = await asyncio.to_thread(rotate)
    assert run.returncode == 0, run.stderr
    assert "1 re-sealed" in run.stdout
    again = await asyncio.to_thread(rotate)
    assert again.returncode == 0 and "0 re-sealed under the new key, 1 already were" in again.stdout

    accept_old_secrets(())
    devices.forget_cached()
    after = dataclasses.replace(settings, secret_key=NEW, old_secret_keys=())
    async with running(create_app(after)) as host:
        assert (await scan(host, door, badges[1])).json()["result"] == "ok"  # the new key alone opens it
        assert (await host.get("/health")).json()["secret_key"] == "ok"
    row = await EventSigningKey.select().first()
    assert TEST_SECRET not in row["key_sealed"]


def test_rotate_secret_refuses_without_the_old_key_and_reports_keys_nobody_can_open(tmp_path, db):
    env = {**os.environ, "CONFOPS_DATABASE_URL": db.url, "CONFOPS_VAR_DIR": str(tmp_path), "CONFOPS_SECRET_KEY": NEW}
    run = subprocess.run([sys.executable, "-m", "confops.cli", "rotate-secret"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode != 0 and "CONFOPS_OLD_SECRET_KEYS" in run.stderr
    key = subprocess.run([sys.executable, "-m", "confops.cli", "rotate-secret", "--new-key"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120).stdout.strip()
    assert len(key) >= 60


def test_unsubscribe_links_signed_with_the_old_key_work_during_the_rotation():
    saved = (CONFIG.secret, CONFIG.old_secrets)
    try:
        CONFIG.secret, CONFIG.old_secrets = TEST_SECRET, ()
        token = unsubscribe_token(3, "a@example.org")
        CONFIG.secret, CONFIG.old_secrets = NEW, (TEST_SECRET,)
        assert read_token(token) == (3, "a@example.org")
        assert read_token(unsubscribe_token(3, "a@example.org")) == (3, "a@example.org")
    finally:
        CONFIG.secret, CONFIG.old_secrets = saved


async def test_rotation_re_seals_the_credential_signing_keys_too(db):
    """The Open Badges and PDF signing keys are sealed under the same secret key: after the
    rotation they open with the new key alone, and credentials keep their issuer key."""
    from confops.accounts.tables import Organizer
    from confops.cme import issuer_keys
    from confops.core import sealing

    org = Organizer(slug="rot", name="Rotation Society", short_name="R")
    await org.save()
    saved = issuer_keys.CONFIG.secret_key
    try:
        issuer_keys.CONFIG.secret_key = TEST_SECRET
        before = await issuer_keys.active_key(org.id, issuer_keys.CREDENTIALS)
        assert await issuer_keys.reseal_all(NEW, (TEST_SECRET,)) == {"resealed": 1, "current": 0, "unopenable": 0}
        assert await issuer_keys.reseal_all(NEW, (TEST_SECRET,)) == {"resealed": 0, "current": 1, "unopenable": 0}
        sealing.accept_old_secrets(())
        issuer_keys.CONFIG.secret_key = NEW
        issuer_keys._loaded.clear()
        after = await issuer_keys.active_key(org.id, issuer_keys.CREDENTIALS)
        assert after.key_id == before.key_id
        assert await issuer_keys.reseal_all("a-third-secret-key-nobody-sealed-with-000000", ()) == {
            "resealed": 0, "current": 0, "unopenable": 1}
    finally:
        issuer_keys.CONFIG.secret_key = saved
        issuer_keys._loaded.clear()

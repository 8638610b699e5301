"""Live counts across workers: with CONFOPS_REDIS_URL, a scan handled by one app process reaches
a staff page subscribed through another (two apps here, one real redis-server)."""

import asyncio
import dataclasses
import shutil
import subprocess
import time

import pytest
from litestar.channels import ChannelsPlugin

from tests.checkin.factory import make_door
from tests.support.http import running
from tests.support.smtp import free_port


@pytest.fixture
def redis_url():
    binary = shutil.which("redis-server")
    if not binary:
        pytest.skip("redis-server is not installed (apt-get install -y redis-server)")
    port = free_port()
    process = subprocess.Popen([binary, "--port", str(port), "--save", "", "--appendonly", "no",
                                "--bind", "127.0.0.1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    process.terminate()
    process.wait(timeout=10)


async def test_a_scan_on_one_worker_reaches_a_subscriber_on_another(settings, redis_url):
    from confops.app import create_app

    shared = dataclasses.replace(settings, redis_url=redis_url)
    worker_a, worker_b = create_app(shared), create_app(shared)
    door = await make_door(1)
    badge = await door.token(door.people[0])
    async with running(worker_b), running(worker_a) as client_a:
        channels_b = worker_b.plugins.get(ChannelsPlugin)
        async with channels_b.start_subscription([f"checkin-{door.event_id}"]) as subscriber:
            await asyncio.sleep(0.3)  # the subscription reaches redis
            r = await client_a.post("/api/v1/checkin/scan", headers={"authorization": f"Bearer {door.device_token}"},
                                    json={"list_id": door.entry_list, "nonce": "n1", "token": badge})
            assert r.json()["result"] == "ok"

            async def first():
                async for message in subscriber.iter_events():
                    return message

            message = await asyncio.wait_for(first(), timeout=10)
    assert message == f'{{"list_id":{door.entry_list},"delta":1}}'.encode()

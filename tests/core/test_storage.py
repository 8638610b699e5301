"""File storage: the same behaviour from a folder and from a real S3-compatible server (moto),
keys that cannot walk out of their folder or prefix, and moving a folder into a bucket."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from confops.core.storage import (
    Storage,
    StorageError,
    copy_all,
    folder_storage,
    s3_storage,
    storage_from,
)
from settings import Settings

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(params=["folder", "s3"])
def storage(request, tmp_path) -> Storage:
    if request.param == "folder":
        return folder_storage(tmp_path / "uploads")
    bucket = request.getfixturevalue("s3_bucket")
    return storage_from(Settings(**bucket))


async def test_put_get_stream_list_delete(storage):
    await storage.put("photos/1-ab.jpg", b"\xff\xd8jpeg", "image/jpeg")
    await storage.put("materials/2-cd.pdf", b"%PDF-1.4" + b"x" * 600_000, "application/pdf")
    assert await storage.get("photos/1-ab.jpg") == b"\xff\xd8jpeg"
    size, chunks = await storage.stream("materials/2-cd.pdf")
    body = b"".join([c async for c in chunks])
    assert size == len(body) == 600_008 and body.startswith(b"%PDF")
    assert await storage.keys() == ["materials/2-cd.pdf", "photos/1-ab.jpg"]
    assert await storage.keys("photos") == ["photos/1-ab.jpg"]
    await storage.delete("photos/1-ab.jpg")
    await storage.delete("photos/1-ab.jpg")  # twice is fine
    with pytest.raises(FileNotFoundError):
        await storage.get("photos/1-ab.jpg")
    with pytest.raises(FileNotFoundError):
        await storage.stream("photos/none.jpg")
    await storage.check()


@pytest.mark.parametrize("key", ["../secret_key", "photos/../../secret_key", "/etc/passwd", "photos//x",
                                 "", "photos/.hidden", "a\\b", "photos/x\x00.jpg"])
async def test_keys_cannot_leave_the_store(storage, key):
    with pytest.raises(ValueError):
        await storage.get(key)
    with pytest.raises(ValueError):
        await storage.put(key, b"x")


async def test_a_bucket_that_does_not_answer_is_reported_not_hidden(s3_server):
    dead = s3_storage("s3://confops-nowhere/x", endpoint="http://127.0.0.1:9", access_key_id="a",
                      secret_access_key="b")
    with pytest.raises(StorageError):
        await dead.check()
    missing = s3_storage("s3://confops-no-such-bucket", endpoint=s3_server.url, access_key_id="a",
                         secret_access_key="b")
    with pytest.raises(StorageError):
        await missing.check()


async def test_copy_all_is_whole_and_can_be_run_again(tmp_path, s3_bucket):
    folder = folder_storage(tmp_path / "uploads")
    for i in range(3):
        await folder.put(f"photos/{i}-aa.jpg", bytes([i]) * (i + 1))
    bucket = storage_from(Settings(**s3_bucket))
    assert await copy_all(folder, bucket) == (3, 0)
    assert await copy_all(folder, bucket) == (0, 3)
    assert await bucket.get("photos/2-aa.jpg") == b"\x02\x02\x02"
    assert await copy_all(folder, bucket, remove=True) == (0, 3)
    assert await folder.keys() == []


def test_the_move_to_bucket_command_moves_existing_uploads(tmp_path, s3_server):
    """An operator going from one host to several: the files already under var/uploads go to
    the bucket, key for key, so the rows that name them keep working."""
    bucket = s3_server.new_bucket()
    var = tmp_path / "var"
    (var / "uploads" / "photos").mkdir(parents=True)
    (var / "uploads" / "photos" / "7-ab.jpg").write_bytes(b"jpeg-bytes")
    (var / "uploads" / "materials").mkdir()
    (var / "uploads" / "materials" / "3-cd.pdf").write_bytes(b"%PDF-1.4 slides")
    env = {**os.environ, "CONFOPS_VAR_DIR": str(var), **s3_server.env_for(bucket)}
    run = subprocess.run([sys.executable, "-m", "confops.cli", "storage", "move-to-bucket"], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert "2 copied" in run.stdout
    assert not (var / "uploads" / "photos" / "7-ab.jpg").exists()
    import asyncio

    shared = storage_from(Settings(**s3_server.settings_for(bucket)))
    assert asyncio.run(shared.get("materials/3-cd.pdf")) == b"%PDF-1.4 slides"
    # without a bucket configured the command refuses rather than copying a folder onto itself
    env.pop("CONFOPS_STORAGE_URL")
    refused = subprocess.run([sys.executable, "-m", "confops.cli", "storage", "move-to-bucket"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode != 0 and "CONFOPS_STORAGE_URL" in refused.stderr

"""Where uploaded and stored files live: one interface, two backends.

A folder (`<CONFOPS_VAR_DIR>/uploads`, the embedded default) serves one host. S3-compatible
object storage (`CONFOPS_STORAGE_URL=s3://bucket/prefix`: AWS, MinIO, Garage, Wasabi, …)
serves any number of hosts, so an app process keeps nothing on its own disk and a photo
uploaded through one host downloads through every other.

Both backends are obstore stores (LocalStore / S3Store): one tested client, async, streaming,
and the same key space, so `confops storage move-to-bucket` copies a folder into a bucket key
for key. Keys are server-made relative paths (`photos/12-ab34.jpg`); anything else is refused
before it reaches a backend, so a stored path can never walk out of the folder or prefix.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlparse

import obstore
from obstore.store import LocalStore, S3Store

from settings import Settings

_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(/[A-Za-z0-9][A-Za-z0-9._-]*)*")
HEALTH_KEY = ".confops-health"


class StorageError(RuntimeError):
    """The storage backend cannot be reached or refused an operation."""


def check_key(key: str) -> str:
    if not _KEY.fullmatch(key or "") or ".." in key.split("/"):
        raise ValueError(f"not a storage key: {key!r}")
    return key


@dataclass
class Storage:
    """Files by key. `get` and `stream` raise FileNotFoundError for a missing key."""

    store: object
    description: str  # for people: "folder /srv/confops/var/uploads" or "s3://bucket/prefix"
    shared: bool  # True when every host sees the same files

    async def put(self, key: str, data: bytes, content_type: str = "application/octet-stream") -> None:
        attributes = {"Content-Type": content_type} if self.shared else None
        await obstore.put_async(self.store, check_key(key), data, attributes=attributes)

    async def get(self, key: str) -> bytes:
        result = await obstore.get_async(self.store, check_key(key))
        return bytes(await result.bytes_async())

    async def stream(self, key: str) -> tuple[int, AsyncIterator[bytes]]:
        """The size and the bytes in chunks, for downloads that should not sit in memory whole.
        A missing key raises here, before any answer has started."""
        result = await obstore.get_async(self.store, check_key(key))

        async def chunks() -> AsyncIterator[bytes]:
            async for chunk in result.stream(min_chunk_size=256 * 1024):
                yield bytes(chunk)

        return result.meta["size"], chunks()

    async def size(self, key: str) -> int | None:
        try:
            return (await obstore.head_async(self.store, check_key(key)))["size"]
        except FileNotFoundError:
            return None

    async def delete(self, key: str) -> None:
        try:
            await obstore.delete_async(self.store, check_key(key))
        except FileNotFoundError:
            pass

    async def keys(self, prefix: str = "") -> list[str]:
        found = []
        async for batch in obstore.list(self.store, prefix=prefix or None):
            found.extend(meta["path"] for meta in batch)
        return sorted(k for k in found if k != HEALTH_KEY)

    async def check(self) -> None:
        """Write, read back and remove a small object: what /health and the start-up need to
        know (a bucket can be readable but not writable)."""
        try:
            await obstore.put_async(self.store, HEALTH_KEY, b"ok")
            if bytes(await (await obstore.get_async(self.store, HEALTH_KEY)).bytes_async()) != b"ok":
                raise StorageError("read back something else than written")
        except StorageError:
            raise
        except Exception as exc:  # noqa: BLE001 - any backend failure means "not usable"
            raise StorageError(f"{type(exc).__name__}: {exc}"[:300]) from exc


def folder_storage(path: Path) -> Storage:
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    return Storage(LocalStore(str(path.resolve()), mkdir=True), f"folder {path}", shared=False)


def s3_storage(url: str, *, endpoint: str = "", region: str = "us-east-1", access_key_id: str = "",
               secret_access_key: str = "") -> Storage:
    parsed = urlparse(url)
    bucket, prefix = parsed.netloc, parsed.path.strip("/")
    options = {"region": region}
    if endpoint:
        options["endpoint"] = endpoint
    if access_key_id:
        options["access_key_id"] = access_key_id
        options["secret_access_key"] = secret_access_key
    client_options = {"allow_http": True} if endpoint.startswith("http://") else None
    store = S3Store(bucket, prefix=prefix or None, client_options=client_options, **options)
    return Storage(store, f"s3://{bucket}/{prefix}".rstrip("/"), shared=True)


def folder_of(settings: Settings) -> Path:
    """The folder a local setup keeps its files in (and `move-to-bucket` reads from)."""
    url = settings.storage_url
    if url.startswith("file://"):
        return Path(urlparse(url).path)
    return Path(settings.var_dir) / "uploads"


def storage_from(settings: Settings) -> Storage:
    if settings.storage_url.startswith("s3://"):
        return s3_storage(settings.storage_url, endpoint=settings.s3_endpoint, region=settings.s3_region,
                          access_key_id=settings.s3_access_key_id,
                          secret_access_key=settings.s3_secret_access_key)
    return folder_storage(folder_of(settings))


async def copy_all(source: Storage, target: Storage, *, remove: bool = False) -> tuple[int, int]:
    """Copy every file of `source` into `target`, key for key; returns (copied, already there).
    A key already in the target with the same size is left as it is, so an interrupted move
    can be run again. With `remove`, each source file is deleted once its copy reads back
    with the same size."""
    copied = present = 0
    for key in await source.keys():
        size = await source.size(key)
        if await target.size(key) == size:
            present += 1
        else:
            await target.put(key, await source.get(key))
            if await target.size(key) != size:
                raise StorageError(f"{key} did not arrive whole in {target.description}")
            copied += 1
        if remove:
            await source.delete(key)
    return copied, present

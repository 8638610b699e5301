"""What /health reports: each part a request or a job needs, ok or degraded, with a reason.

The database is the one part without which nothing works: when it is unreachable the answer
is 503 (a load balancer then sends people to another host). Everything else degrades the
answer but keeps it 200: a host with Redis away still serves pages, and an outbox backlog is
for an operator to look at, not a reason to take the host out of rotation.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from confops.core import clock
from confops.db import ping

OUTBOX_LATE = timedelta(minutes=15)  # mail due this long ago and still unsent is a backlog
STORAGE_CHECK_SECONDS = 30.0  # a write+read per probe is wasteful: the answer is kept this long


@dataclass
class Report:
    checks: dict[str, str] = field(default_factory=dict)  # name -> "ok" | "degraded"
    details: dict[str, str] = field(default_factory=dict)

    def add(self, name: str, ok: bool, detail: str) -> None:
        self.checks[name] = "ok" if ok else "degraded"
        self.details[name] = detail

    @property
    def database_down(self) -> bool:
        return self.checks.get("database") != "ok"

    def body(self) -> dict:
        status = "ok" if all(v == "ok" for v in self.checks.values()) else "degraded"
        return {"status": status, **self.checks, "details": self.details}


_migration_ids: dict[str, frozenset[str]] = {}


def shipped_migrations(folder: str) -> frozenset[str]:
    if folder not in _migration_ids:
        ids = {m.group(1) for f in Path(folder).glob("*.py")
               if (m := re.search(r'^ID = "([^"]+)"', f.read_text(), re.M))}
        _migration_ids[folder] = frozenset(ids)
    return _migration_ids[folder]


async def _migrations(report: Report) -> None:
    from piccolo.apps.migrations.tables import Migration

    from confops.piccolo_app import APP_CONFIG

    shipped = shipped_migrations(APP_CONFIG.migrations_folder_path)
    applied = set(await Migration.get_migrations_which_ran(app_name="confops"))
    pending = shipped - applied
    newer = applied - shipped
    detail = f"{len(pending)} pending: run `confops migrate`" if pending else "up to date"
    if newer:
        detail += f"; {len(newer)} applied by newer code"
    report.add("migrations", not pending, detail)


async def _outbox(report: Report) -> None:
    from confops.core.tables import OutboxMessage, OutboxStatus

    late = await OutboxMessage.count().where((OutboxMessage.status == OutboxStatus.pending.value)
                                             & (OutboxMessage.next_attempt_at < clock.now() - OUTBOX_LATE)
                                             & (OutboxMessage.attempts == 0))
    failed = await OutboxMessage.count().where(OutboxMessage.status == OutboxStatus.failed.value)
    waiting = await OutboxMessage.count().where(OutboxMessage.status.is_in(
        [OutboxStatus.pending.value, OutboxStatus.sending.value]))
    problems = []
    if late:
        problems.append(f"{late} unsent for over {int(OUTBOX_LATE.total_seconds() // 60)} min (is a worker running?)")
    if failed:
        problems.append(f"{failed} failed for good (see /staff/jobs)")
    report.add("outbox", not problems, "; ".join(problems) or f"{waiting} waiting")


async def _redis(report: Report, redis_url: str) -> None:
    if not redis_url:
        report.add("redis", True, "not configured: live counts and rate limits stay in this process")
        return
    from redis.asyncio import Redis

    client = Redis.from_url(redis_url, socket_connect_timeout=1, socket_timeout=1)
    try:
        await asyncio.wait_for(client.ping(), timeout=2)
        report.add("redis", True, "reachable")
    except Exception as exc:  # noqa: BLE001 - any failure is "unreachable", with its reason
        report.add("redis", False, f"unreachable: {type(exc).__name__}")
    finally:
        await client.aclose()


_storage_seen: dict[int, tuple[float, bool, str]] = {}


async def _storage(report: Report, storage) -> None:
    from confops.core.storage import StorageError

    seen = _storage_seen.get(id(storage))
    if seen is None or time.monotonic() - seen[0] > STORAGE_CHECK_SECONDS:
        try:
            await storage.check()
            seen = (time.monotonic(), True, f"{storage.description}: writable")
        except StorageError as exc:
            seen = (time.monotonic(), False, f"{storage.description}: {exc}")
        _storage_seen[id(storage)] = seen
    report.add("storage", seen[1], seen[2])


async def _secret_key(report: Report, secret_keys: tuple[str, ...]) -> None:
    """A host whose secret key differs from the others' cannot open what they sealed (check-in
    keys): every scan it takes would fail. Said here, where an operator looks first; the areas
    that seal answer `secret_key_opens` with (ok, detail)."""
    from confops.core.extension import collect

    answers = await collect("secret_key_opens", secret_keys=secret_keys)
    failed = [detail for ok, detail in answers if not ok]
    report.add("secret_key", not failed, "; ".join(failed or [detail for _, detail in answers]) or "nothing sealed yet")


PARTS_SECONDS = 5.0  # load balancers probe every few seconds: the parts but the database are kept this long


async def _parts(settings, storage) -> Report:
    report = Report()
    for name, part in (("migrations", _migrations(report)), ("outbox", _outbox(report)),
                       ("secret_key", _secret_key(report, (settings.secret_key, *settings.old_secret_keys)))):
        try:
            await part
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide the others
            report.add(name, False, f"could not check: {type(exc).__name__}")
    await _redis(report, settings.redis_url)
    await _storage(report, storage)
    return report


async def check(settings, storage, kept: dict) -> Report:
    """The database is pinged on every call; the other parts are checked again when `kept`
    (the app's own dict) holds an answer older than PARTS_SECONDS."""
    report = Report()
    if not await ping():
        report.add("database", False, "unreachable")
        for name in ("migrations", "outbox", "secret_key"):
            report.add(name, False, "database unreachable")
        await _redis(report, settings.redis_url)
        await _storage(report, storage)
        kept.clear()
        return report
    report.add("database", True, "reachable")
    if not kept or time.monotonic() - kept["at"] > PARTS_SECONDS:
        kept.update(at=time.monotonic(), parts=await _parts(settings, storage))
    parts = kept["parts"]
    report.checks.update(parts.checks)
    report.details.update(parts.details)
    return report

"""Failed sign-ins counted per account and per address, where every worker sees them.

Why both: counting per address alone lets anyone with many addresses (a botnet, a phone
network) try passwords on one account for ever; counting per account alone lets one address
try one password on every account. Counts live in Redis when it is configured and in the
database otherwise (or while Redis is unreachable), in fixed windows: the key names the window,
so an old window is simply never read again.

While an account or an address is over its limit, the attempt is refused before the password is
checked, so a correct guess in that time is worth nothing.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from confops.accounts.tables import SignInThrottle
from confops.db import raw

log = logging.getLogger("confops.throttle")

WINDOW = timedelta(minutes=15)


def _now() -> datetime:
    """Attempts are counted in real time (like sessions: the project's clock is business time)."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Limit:
    kind: str          # "account" or "address"
    attempts: int      # failures allowed per window


# Sign-in by password or second factor; e-mailed links count every request (each sends mail).
PASSWORD_ACCOUNT = Limit("account", 5)
PASSWORD_ADDRESS = Limit("address", 30)
LINK_ACCOUNT = Limit("link-account", 5)
LINK_ADDRESS = Limit("link-address", 20)


def _window() -> tuple[int, int]:
    """(this window's number, seconds until it ends)."""
    seconds = int(WINDOW.total_seconds())
    now = int(_now().timestamp())
    return now // seconds, seconds - now % seconds


def _key(limit: Limit, subject: str, window: int) -> str:
    return f"{limit.kind}:{subject.strip().lower()[:150]}:{window}"


class _Counts:
    """Counters: Redis when configured and answering, else the database."""

    RETRY_AFTER = 15.0

    def __init__(self) -> None:
        self.redis = None
        self._down_until = 0.0

    def configure(self, redis_url: str) -> None:
        if redis_url:
            from redis.asyncio import Redis

            self.redis = Redis.from_url(redis_url, socket_connect_timeout=0.5, socket_timeout=0.5)
        else:
            self.redis = None

    def _redis(self):
        return self.redis if self.redis is not None and time.monotonic() >= self._down_until else None

    def _failed(self, exc: Exception) -> None:
        log.warning("Redis unreachable for sign-in throttling, using the database: %s", exc)
        self._down_until = time.monotonic() + self.RETRY_AFTER

    async def get(self, key: str) -> int:
        if (redis := self._redis()) is not None:
            try:
                value = await redis.get(f"confops:throttle:{key}")
                return int(value or 0)
            except Exception as exc:  # any Redis failure: count in the database
                self._failed(exc)
        row = await SignInThrottle.select(SignInThrottle.failures).where(SignInThrottle.key == key).first()
        return row["failures"] if row else 0

    async def add(self, key: str, ttl: int) -> int:
        if (redis := self._redis()) is not None:
            try:
                async with redis.pipeline(transaction=True) as pipe:
                    pipe.incr(f"confops:throttle:{key}")
                    pipe.expire(f"confops:throttle:{key}", ttl)
                    count, _ = await pipe.execute()
                return int(count)
            except Exception as exc:
                self._failed(exc)
        # One statement: concurrent failures each count (no read-then-write).
        rows = await raw(SignInThrottle,
                         "INSERT INTO account_sign_in_throttle (key, failures, expires_at) VALUES ({}, 1, {}) "
                         "ON CONFLICT (key) DO UPDATE SET failures = account_sign_in_throttle.failures + 1 "
                         "RETURNING failures", key, _now() + timedelta(seconds=ttl))
        return rows[0]["failures"]

    async def clear(self, key: str) -> None:
        if (redis := self._redis()) is not None:
            try:
                await redis.delete(f"confops:throttle:{key}")
            except Exception as exc:
                self._failed(exc)
        await SignInThrottle.delete().where(SignInThrottle.key == key)


COUNTS = _Counts()


def configure(redis_url: str) -> None:
    COUNTS.configure(redis_url)


async def blocked(*checks: tuple[Limit, str]) -> int | None:
    """Seconds to wait if any (limit, subject) is over its limit now, else None."""
    window, left = _window()
    for limit, subject in checks:
        if subject and await COUNTS.get(_key(limit, subject, window)) >= limit.attempts:
            return left
    return None


async def count(*checks: tuple[Limit, str]) -> None:
    """Count a failure (or, for links, a request) against each (limit, subject)."""
    window, left = _window()
    for limit, subject in checks:
        if subject:
            await COUNTS.add(_key(limit, subject, window), left + 60)


async def forget(limit: Limit, subject: str) -> None:
    """A successful sign-in clears its account's failures (not its address's)."""
    window, _ = _window()
    await COUNTS.clear(_key(limit, subject, window))


async def purge_expired() -> int:
    gone = await SignInThrottle.delete().where(SignInThrottle.expires_at < _now()).returning(SignInThrottle.id)
    return len(gone)

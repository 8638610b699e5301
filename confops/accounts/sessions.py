"""Signed-in sessions, kept on the server: in the database, or in Redis when it is configured.

Why on the server: a session that lives only in a signed cookie cannot be ended. A copy of the
cookie kept by someone else would still open the staff pages after sign-out, after a password
change and after staff ended it. Here the cookie holds a random token; the store holds only
its hash, and ending a session deletes it, so every copy of the cookie stops working at once.

With Redis configured the sessions live there (no database query to find one), and if Redis
stops answering the store carries on in the database: sign-in and pages keep working, and a
session started meanwhile is still found once Redis is back (a miss in Redis looks in the
database). Redis is not asked again for a few seconds after a failure, so an outage does not
cost every request a connection timeout.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
import time
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta

from confops.accounts.tables import SignInSession

log = logging.getLogger("confops.sessions")


def _now() -> datetime:
    """Sessions age in real time, not on the project's clock: that clock stands for the event's
    business time (tests move it to a meeting's start), and a browser's sign-in does not get
    older because a test looks at next month."""
    return datetime.now(UTC)

SIGNED_IN = "in"
SECOND_FACTOR = "second_factor"   # the password was right; the TOTP code is still owed
ENROL = "enrol"                   # the password was right; a second factor must be set up first
PENDING_MINUTES = 10              # how long a half-finished sign-in waits for its second step
TOUCH_EVERY = timedelta(minutes=5)


@dataclass
class Session:
    key_hash: str
    user_id: int
    stage: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    address: str = ""
    user_agent: str = ""
    data: dict = field(default_factory=dict)


def key_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class DatabaseSessions:
    async def save(self, s: Session) -> None:
        values = dict(user=s.user_id, stage=s.stage, created_at=s.created_at, last_seen_at=s.last_seen_at,
                      expires_at=s.expires_at, address=s.address[:64], user_agent=s.user_agent[:300],
                      data=json.dumps(s.data)[:500])
        done = await SignInSession.update(values).where(SignInSession.key_hash == s.key_hash).returning(
            SignInSession.id)
        if not done:
            await SignInSession.insert(SignInSession(key_hash=s.key_hash, **values)).on_conflict(action="DO NOTHING")

    async def find(self, hashed: str) -> Session | None:
        row = await SignInSession.select().where(SignInSession.key_hash == hashed).first()
        if row is None:
            return None
        return Session(row["key_hash"], row["user"], row["stage"], row["created_at"], row["last_seen_at"],
                       row["expires_at"], row["address"], row["user_agent"], json.loads(row["data"] or "{}"))

    async def delete(self, hashed: str) -> None:
        await SignInSession.delete().where(SignInSession.key_hash == hashed)

    async def of_user(self, user_id: int) -> list[Session]:
        rows = await SignInSession.select(SignInSession.key_hash).where(SignInSession.user == user_id)
        found = [await self.find(r["key_hash"]) for r in rows]
        return [s for s in found if s is not None]

    async def delete_expired(self) -> int:
        gone = await SignInSession.delete().where(SignInSession.expires_at < _now()).returning(SignInSession.id)
        return len(gone)


class RedisSessions:
    """Sessions in Redis (a key per session with its own expiry, a set per person), falling
    back to the database while Redis is unreachable."""

    RETRY_AFTER = 15.0  # seconds without asking Redis after it failed

    def __init__(self, url: str, fallback: DatabaseSessions) -> None:
        from redis.asyncio import Redis

        self.url = url
        self.redis = Redis.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        self.fallback = fallback
        self._down_until = 0.0

    def _usable(self) -> bool:
        return time.monotonic() >= self._down_until

    def _failed(self, exc: Exception) -> None:
        log.warning("Redis unreachable for sessions, using the database: %s", exc)
        self._down_until = time.monotonic() + self.RETRY_AFTER

    @staticmethod
    def _key(hashed: str) -> str:
        return f"confops:session:{hashed}"

    @staticmethod
    def _user_key(user_id: int) -> str:
        return f"confops:user-sessions:{user_id}"

    async def save(self, s: Session) -> None:
        if self._usable():
            try:
                ttl = max(1, int((s.expires_at - _now()).total_seconds()))
                body = json.dumps({**asdict(s), **{k: getattr(s, k).isoformat()
                                                   for k in ("created_at", "last_seen_at", "expires_at")}})
                async with self.redis.pipeline(transaction=True) as pipe:
                    pipe.set(self._key(s.key_hash), body, ex=ttl)
                    pipe.sadd(self._user_key(s.user_id), s.key_hash)
                    pipe.expire(self._user_key(s.user_id), 60 * 60 * 24 * 31)
                    await pipe.execute()
                return
            except Exception as exc:  # any Redis failure: carry on in the database
                self._failed(exc)
        await self.fallback.save(s)

    async def find(self, hashed: str) -> Session | None:
        if self._usable():
            try:
                raw = await self.redis.get(self._key(hashed))
                if raw is not None:
                    d = json.loads(raw)
                    for k in ("created_at", "last_seen_at", "expires_at"):
                        d[k] = datetime.fromisoformat(d[k])
                    return Session(**d)
            except Exception as exc:
                self._failed(exc)
        return await self.fallback.find(hashed)  # started while Redis was down, or Redis is down

    async def delete(self, hashed: str) -> None:
        if self._usable():
            try:
                await self.redis.delete(self._key(hashed))
            except Exception as exc:
                self._failed(exc)
        await self.fallback.delete(hashed)

    async def of_user(self, user_id: int) -> list[Session]:
        found: dict[str, Session] = {s.key_hash: s for s in await self.fallback.of_user(user_id)}
        if self._usable():
            try:
                for hashed in await self.redis.smembers(self._user_key(user_id)):
                    hashed = hashed.decode() if isinstance(hashed, bytes) else hashed
                    s = await self.find(hashed)
                    if s is None:
                        await self.redis.srem(self._user_key(user_id), hashed)
                    else:
                        found[hashed] = s
            except Exception as exc:
                self._failed(exc)
        return list(found.values())

    async def delete_expired(self) -> int:
        return await self.fallback.delete_expired()  # Redis expires its keys itself


Store = DatabaseSessions | RedisSessions
_store: dict[str, Store] = {}
_lifetime = {"hours": 12}


def configure(redis_url: str, hours: int = 12) -> Store:
    _lifetime["hours"] = hours
    store = RedisSessions(redis_url, DatabaseSessions()) if redis_url else DatabaseSessions()
    _store["current"] = store
    return store


def store() -> Store:
    return _store.get("current") or configure("")


async def start(user_id: int, *, stage: str = SIGNED_IN, address: str = "", user_agent: str = "",
                data: dict | None = None) -> str:
    """A new session (always a new token: a sign-in never reuses one, so a token planted
    before sign-in is worth nothing after it). Returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = _now()
    lasts = timedelta(hours=_lifetime["hours"]) if stage == SIGNED_IN else timedelta(minutes=PENDING_MINUTES)
    await store().save(Session(key_hash(token), user_id, stage, now, now, now + lasts, address, user_agent,
                               data or {}))
    return token


async def find(token: str | None) -> Session | None:
    """The live session of this token, or None (unknown, ended or expired). A session in use is
    kept alive: its expiry moves on, written at most every few minutes."""
    if not token or len(token) > 100:
        return None
    s = await store().find(key_hash(token))
    now = _now()
    if s is None or s.expires_at <= now:
        return None
    if s.stage == SIGNED_IN and now - s.last_seen_at >= TOUCH_EVERY:
        s.last_seen_at, s.expires_at = now, now + timedelta(hours=_lifetime["hours"])
        await store().save(s)
    return s


async def end(token: str | None) -> None:
    if token:
        await store().delete(key_hash(token))


async def end_by_hash(user_id: int, hashed: str) -> bool:
    """End one of this person's sessions (from the sessions page); False if it is not theirs."""
    s = await store().find(hashed)
    if s is None or s.user_id != user_id:
        return False
    await store().delete(hashed)
    return True


async def end_all(user_id: int, *, keep: str | None = None) -> int:
    """End every session of a person (password changed, staff ended them, account closed),
    except `keep` (a token: the browser that asked)."""
    kept = key_hash(keep) if keep else None
    ended = 0
    for s in await store().of_user(user_id):
        if s.key_hash != kept:
            await store().delete(s.key_hash)
            ended += 1
    return ended


async def active(user_id: int) -> list[Session]:
    now = _now()
    return sorted((s for s in await store().of_user(user_id) if s.expires_at > now and s.stage == SIGNED_IN),
                  key=lambda s: s.last_seen_at, reverse=True)


async def purge_expired() -> int:
    return await store().delete_expired()

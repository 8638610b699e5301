"""Throttling of sign-in attempts, so passwords and inboxes cannot be hammered.

Counts are kept in Redis when CONFOPS_REDIS_URL is set (shared by every worker), otherwise
in the process (per worker).
"""

from __future__ import annotations

from litestar import Request
from litestar.middleware.rate_limit import RateLimitConfig
from litestar.stores.base import Store
from litestar.stores.memory import MemoryStore
from litestar.stores.redis import RedisStore

SIGN_IN_PATHS = frozenset({"/staff/login", "/login"})
ATTEMPTS_PER_MINUTE = 10


async def _is_sign_in_attempt(request: Request) -> bool:
    # Async: Litestar runs a plain function given here in a worker thread, on every request.
    # The scope's path, not request.url: building the URL object costs more than this whole check.
    return request.scope["method"] == "POST" and request.scope["path"] in SIGN_IN_PATHS


def rate_limit_config() -> RateLimitConfig:
    return RateLimitConfig(rate_limit=("minute", ATTEMPTS_PER_MINUTE), check_throttle_handler=_is_sign_in_attempt,
                           store="rate_limit")


def rate_limit_store(redis_url: str) -> Store:
    if redis_url:
        return RedisStore.with_client(url=redis_url, namespace="confops-rate-limit")
    return MemoryStore()

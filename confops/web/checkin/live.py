"""Live check-in counts: each accepted or undone scan is published on the event's channel.

The Channels backend is Redis when CONFOPS_REDIS_URL is set (every worker's scans reach every
staff page), in-process memory otherwise (one worker, tests). Messages are deltas
(``{"list_id": 3, "delta": 1}``) so publishing costs no query on the scan path; a staff page
starts from the counts it was rendered with and re-reads them when its socket reconnects.

With Redis down the door must not notice: a failed publish is dropped (Litestar's publisher
task would otherwise die on the first error and its queue grow for ever), the subscriber
carries on when Redis is back, and the staff page, whose socket then closes, polls the counts
from the database until it can connect again (static/checkin/live-counts.js).
"""

from __future__ import annotations

import asyncio
import logging
import time

from litestar import Litestar
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend

log = logging.getLogger("confops.live")


def channel_name(event_id: int) -> str:
    return f"checkin-{event_id}"


def _resilient_redis_backend(redis_url: str):
    from litestar.channels.backends.redis import RedisChannelsPubSubBackend
    from redis.asyncio import Redis

    class ResilientRedisBackend(RedisChannelsPubSubBackend):
        _warned_at = 0.0

        def _warn(self, what: str, exc: Exception) -> None:
            if time.monotonic() - self._warned_at > 60:  # once a minute, not once a scan
                self._warned_at = time.monotonic()
                log.warning("Redis unreachable for live counts (%s): %s", what, exc)

        async def publish(self, data: bytes, channels) -> None:
            try:
                await super().publish(data, channels)
            except Exception as exc:  # the scan was recorded; only its live delta is lost
                self._warn("publish", exc)

        async def stream_events(self):
            while True:
                try:
                    async for event in super().stream_events():
                        yield event
                except asyncio.CancelledError:
                    raise
                except Exception as exc:
                    self._warn("subscribe", exc)
                    await asyncio.sleep(5)

    return ResilientRedisBackend(redis=Redis.from_url(redis_url, socket_connect_timeout=0.5))


def make_channels(redis_url: str) -> ChannelsPlugin:
    if redis_url:
        backend = _resilient_redis_backend(redis_url)
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True)


def publish_delta(app: Litestar, event_id: int, list_id: int, delta: int) -> None:
    try:
        channels = app.plugins.get(ChannelsPlugin)
    except KeyError:
        return
    channels.publish({"list_id": list_id, "delta": delta}, channels=[channel_name(event_id)])

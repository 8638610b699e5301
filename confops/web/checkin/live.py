"""Live check-in counts: each accepted or undone scan is published on the event's channel.

The Channels backend is Redis when CONFOPS_REDIS_URL is set (every worker's scans reach every
staff page), in-process memory otherwise (one worker, tests). Messages are deltas
(``{"list_id": 3, "delta": 1}``) so publishing costs no query on the scan path; a staff page
starts from the counts it was rendered with and re-reads them when its socket reconnects.
"""

from __future__ import annotations

from litestar import Litestar
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend


def channel_name(event_id: int) -> str:
    return f"checkin-{event_id}"


def make_channels(redis_url: str) -> ChannelsPlugin:
    if redis_url:
        from litestar.channels.backends.redis import RedisChannelsPubSubBackend
        from redis.asyncio import Redis

        backend = RedisChannelsPubSubBackend(redis=Redis.from_url(redis_url))
    else:
        backend = MemoryChannelsBackend()
    return ChannelsPlugin(backend=backend, arbitrary_channels_allowed=True)


def publish_delta(app: Litestar, event_id: int, list_id: int, delta: int) -> None:
    try:
        channels = app.plugins.get(ChannelsPlugin)
    except KeyError:
        return
    channels.publish({"list_id": list_id, "delta": delta}, channels=[channel_name(event_id)])

"""Areas reach each other through named events and collected answers."""

from confops.core import extension


async def test_emit_and_collect_reach_registered_providers():
    seen = []

    @extension.provides("test_only_event")
    async def record(**payload):
        seen.append(payload)
        return payload["n"] * 2

    await extension.emit("test_only_event", n=1)
    assert seen == [{"n": 1}]
    assert await extension.collect("test_only_event", n=4) == [8]
    assert await extension.collect("nobody_answers_this") == []
    extension._providers.pop("test_only_event")

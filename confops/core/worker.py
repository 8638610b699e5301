"""The background worker: periodic jobs run inside the app or as `confops worker`.

Jobs must be safe to run in several processes at once (they claim rows atomically), so the
same loop serves one embedded process and a scaled-out deployment.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

log = logging.getLogger("confops.worker")


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[], Awaitable[int]]  # returns how many items it handled


class Worker:
    def __init__(self, jobs: list[Job]) -> None:
        self.jobs = jobs
        self._stop = asyncio.Event()

    async def run_once(self) -> dict[str, int]:
        done: dict[str, int] = {}
        for job in self.jobs:
            try:
                done[job.name] = await job.run()
            except Exception:  # a failing job must not stop the others; it is retried next round
                log.exception("job %s failed", job.name)
                done[job.name] = 0
        return done

    async def run_forever(self) -> None:
        last: dict[str, float] = {}
        loop = asyncio.get_running_loop()
        while not self._stop.is_set():
            for job in self.jobs:
                if loop.time() - last.get(job.name, float("-inf")) < job.every_seconds:
                    continue
                last[job.name] = loop.time()
                try:
                    await job.run()
                except Exception:
                    log.exception("job %s failed", job.name)
            try:
                await asyncio.wait_for(self._stop.wait(), timeout=1.0)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stop.set()

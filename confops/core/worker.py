"""The background worker: periodic jobs, once per period across every host and process.

Each job has a row in `job_state` (core/tables.py). A process runs a job only after claiming
its lease with one conditional UPDATE (`… WHERE next_due_at <= now AND lease free`), which on
SQLite and PostgreSQL alike only one process can win; the winner moves `next_due_at` one
period on in the same statement. While a job runs, its lease is extended in the background,
so a long purge is never started twice; if the process dies, the lease runs out and another
process takes the job up. So the same loop serves one embedded process and any number of
web processes and `confops worker`s on any number of hosts: the daily purge runs once a day.

Every run is recorded on the row (start, duration, outcome, items handled, error) for
/staff/jobs, and logged as one line. `stop()` lets the running job finish (or, past the
grace period, cancels it and hands its lease back), so SIGTERM ends a worker cleanly.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta

from confops.core import clock
from confops.core.tables import JobState

log = logging.getLogger("confops.jobs")

LEASE_SECONDS = 120  # renewed every third of it while the job runs
RETRY_FAILED_AFTER = 300  # a failed job is tried again after at most this many seconds
POLL_SECONDS = 1.0


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    run: Callable[[], Awaitable[int]]  # returns how many items it handled


def _owner() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"


class Worker:
    def __init__(self, jobs: list[Job], *, grace_seconds: float = 20.0) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"job names must be unique: {names}")
        self.jobs = jobs
        self.owner = _owner()
        self.grace_seconds = grace_seconds
        self._stop = asyncio.Event()
        self._rows_ready = False

    async def _ensure_rows(self) -> None:
        """A row per job, due at once on a fresh database; a job's period follows the code."""
        if self._rows_ready:
            return
        now = clock.now()
        await JobState.insert(*[JobState(name=job.name, every_seconds=int(job.every_seconds), next_due_at=now,
                                         lease_owner="", last_error="")
                                for job in self.jobs]).on_conflict(action="DO NOTHING")
        for job in self.jobs:
            await JobState.update({JobState.every_seconds: int(job.every_seconds)}).where(
                (JobState.name == job.name) & (JobState.every_seconds != int(job.every_seconds)))
        self._rows_ready = True

    async def _claim(self, job: Job, *, due_only: bool = True) -> bool:
        now = clock.now()
        free = JobState.lease_until.is_null() | (JobState.lease_until < now)
        where = (JobState.name == job.name) & free
        if due_only:
            where &= JobState.next_due_at <= now
        claimed = await JobState.update({
            JobState.lease_owner: self.owner,
            JobState.lease_until: now + timedelta(seconds=LEASE_SECONDS),
            JobState.last_started_at: now,
            JobState.next_due_at: now + timedelta(seconds=job.every_seconds),
        }).where(where).returning(JobState.id)
        return bool(claimed)

    async def _renew(self, job: Job) -> None:
        while True:
            await asyncio.sleep(LEASE_SECONDS / 3)
            with contextlib.suppress(Exception):  # a missed renewal is retried; the lease has slack
                await JobState.update({JobState.lease_until: clock.now() + timedelta(seconds=LEASE_SECONDS)}).where(
                    (JobState.name == job.name) & (JobState.lease_owner == self.owner))

    async def _record(self, job: Job, outcome: str, handled: int, started: float, error: str = "") -> None:
        duration_ms = int((time.perf_counter() - started) * 1000)
        now = clock.now()
        values = {
            JobState.lease_owner: "", JobState.lease_until: None, JobState.last_finished_at: now,
            JobState.last_duration_ms: duration_ms, JobState.last_outcome: outcome,
            JobState.last_handled: handled, JobState.last_error: error[:2000], JobState.last_host: self.owner,
            JobState.runs: JobState.runs + 1,
        }
        if outcome == "failed":
            values[JobState.failures] = JobState.failures + 1
            values[JobState.next_due_at] = now + timedelta(seconds=min(job.every_seconds, RETRY_FAILED_AFTER))
        elif outcome == "interrupted":
            values[JobState.next_due_at] = now  # another process may take it up at once
        await JobState.update(values).where((JobState.name == job.name) & (JobState.lease_owner == self.owner))
        (log.warning if outcome != "ok" else log.info)(
            "job %s %s in %d ms, %d handled", job.name, outcome, duration_ms, handled,
            extra={"job": job.name, "outcome": outcome, "duration_ms": duration_ms, "handled": handled,
                   **({"error": error[:500]} if error else {})})
        from confops.core import metrics

        metrics.job_finished(job.name, outcome, duration_ms / 1000)

    async def _run(self, job: Job, *, due_only: bool = True) -> int | None:
        """Run the job if this process wins its lease; None when it did not run here."""
        if not await self._claim(job, due_only=due_only):
            return None
        started = time.perf_counter()
        renew = asyncio.create_task(self._renew(job))
        work = asyncio.ensure_future(job.run())
        try:
            handled = await self._finish(work)
        except asyncio.CancelledError:
            await self._record(job, "interrupted", 0, started, "stopped before it finished")
            if not self._stop.is_set():
                raise
            return None
        except Exception as exc:  # a failing job must not stop the others; it is retried later
            log.exception("job %s failed", job.name, extra={"job": job.name})
            await self._record(job, "failed", 0, started, f"{type(exc).__name__}: {exc}")
            return 0
        finally:
            renew.cancel()
        await self._record(job, "ok", int(handled or 0), started)
        return int(handled or 0)

    async def _finish(self, work: asyncio.Future) -> int:
        """The job's result; once stop() is called it gets `grace_seconds` more, then is cancelled."""
        stopping = asyncio.ensure_future(self._stop.wait())
        try:
            done, _ = await asyncio.wait({work, stopping}, return_when=asyncio.FIRST_COMPLETED)
            if work not in done:
                done, _ = await asyncio.wait({work}, timeout=self.grace_seconds)
                if work not in done:
                    work.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await work
                    raise asyncio.CancelledError
            return work.result()
        finally:
            stopping.cancel()

    async def run_once(self) -> dict[str, int]:
        """Run every job now (whatever its schedule) unless another process is running it."""
        await self._ensure_rows()
        done: dict[str, int] = {}
        for job in self.jobs:
            handled = await self._run(job, due_only=False)
            done[job.name] = 0 if handled is None else handled
        return done

    async def _due(self) -> list[Job]:
        now = clock.now()
        rows = await JobState.select(JobState.name, JobState.next_due_at, JobState.lease_until)
        due = {r["name"] for r in rows if r["next_due_at"] <= now and (r["lease_until"] is None or r["lease_until"] < now)}
        return [job for job in self.jobs if job.name in due]

    async def run_forever(self) -> None:
        while not self._stop.is_set():
            try:
                await self._ensure_rows()
                for job in await self._due():
                    if self._stop.is_set():
                        break
                    await self._run(job)
            except Exception:  # the database may be away for a moment: try again next round
                log.exception("the worker could not reach its jobs")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=POLL_SECONDS)

    def stop(self) -> None:
        self._stop.set()

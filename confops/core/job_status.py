"""What admins see of the background work at /staff/jobs: each periodic job's schedule and
last run, and the e-mail the outbox could not send."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from confops.core import clock, extension
from confops.core.errors import NotFound
from confops.core.tables import JobState, OutboxMessage, OutboxStatus
from confops.db import transaction


@dataclass(frozen=True)
class JobView:
    name: str
    every_seconds: int
    next_due_at: datetime
    running_on: str  # the process holding its lease, "" when idle
    last_started_at: datetime | None
    last_duration_ms: int
    last_outcome: str
    last_handled: int
    last_error: str
    last_host: str
    runs: int
    failures: int

    @property
    def period(self) -> str:
        s = self.every_seconds
        if s % 86400 == 0:
            return f"every {s // 86400} day{'s' if s > 86400 else ''}"
        if s % 3600 == 0:
            return f"every {s // 3600} hour{'s' if s > 3600 else ''}"
        if s % 60 == 0:
            return f"every {s // 60} min"
        return f"every {s} s"


async def jobs() -> list[JobView]:
    now = clock.now()
    rows = await JobState.select().order_by(JobState.name)
    return [JobView(name=r["name"], every_seconds=r["every_seconds"], next_due_at=r["next_due_at"],
                    running_on=r["lease_owner"] if r["lease_until"] and r["lease_until"] > now else "",
                    last_started_at=r["last_started_at"], last_duration_ms=r["last_duration_ms"],
                    last_outcome=r["last_outcome"], last_handled=r["last_handled"], last_error=r["last_error"],
                    last_host=r["last_host"], runs=r["runs"], failures=r["failures"]) for r in rows]


async def run_soon(name: str, actor_id: int) -> None:
    """Make a job due now: the next free worker round (about a second) runs it, once."""
    async with transaction():
        changed = await JobState.update({JobState.next_due_at: clock.now()}).where(
            JobState.name == name).returning(JobState.id)
        if not changed:
            raise NotFound("There is no such job.")
        await extension.emit("staff_change", actor_id=actor_id, action="job_run_requested", entity="job",
                             entity_id=name, before=None, after={"due": "now"})


async def mail_backlog() -> dict:
    waiting = await OutboxMessage.count().where(OutboxMessage.status.is_in(
        [OutboxStatus.pending.value, OutboxStatus.sending.value]))
    failed = await OutboxMessage.select(
        OutboxMessage.id, OutboxMessage.to_address, OutboxMessage.subject, OutboxMessage.attempts,
        OutboxMessage.last_error, OutboxMessage.created_at,
    ).where(OutboxMessage.status == OutboxStatus.failed.value).order_by(OutboxMessage.id, ascending=False).limit(100)
    failed_total = await OutboxMessage.count().where(OutboxMessage.status == OutboxStatus.failed.value)
    return {"waiting": waiting, "failed": failed, "failed_total": failed_total}


async def retry_mail(message_id: int, actor_id: int) -> None:
    """Send a message that failed for good once more (after the cause was fixed)."""
    async with transaction():
        changed = await OutboxMessage.update({
            OutboxMessage.status: OutboxStatus.pending.value, OutboxMessage.attempts: 0,
            OutboxMessage.next_attempt_at: clock.now(),
        }).where((OutboxMessage.id == message_id) & (OutboxMessage.status == OutboxStatus.failed.value)).returning(
            OutboxMessage.id)
        if not changed:
            raise NotFound("There is no failed e-mail with that number.")
        await extension.emit("staff_change", actor_id=actor_id, action="mail_retry", entity="outbox_message",
                             entity_id=message_id, before={"status": "failed"}, after={"status": "pending"})

"""Prometheus metrics, served at /metrics.

Counted in the process that sees them: requests by route template and status, their latency,
orders placed, door scans by result, job runs. Read from the database when scraped, so any
host gives the cluster's figures: the outbox backlog and each job's last run.

With several server processes on a host (`confops serve --workers N`), a scrape reaches one of
them; `confops serve` then points PROMETHEUS_MULTIPROC_DIR at a folder of its own so each
process writes its counters there and the one answering adds them all up
(prometheus_client's multiprocess mode).
"""

from __future__ import annotations

import os

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE  # noqa: F401 - used by the route
from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)

_MULTI = bool(os.environ.get("PROMETHEUS_MULTIPROC_DIR"))
_LIVE = {"multiprocess_mode": "mostrecent"} if _MULTI else {}

REQUESTS = Counter("confops_http_requests_total", "HTTP requests answered, by route template and status",
                   ["method", "route", "status"])
LATENCY = Histogram("confops_http_request_duration_seconds", "Time to answer a request, by route template",
                    ["route"], buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
ORDERS = Counter("confops_orders_placed_total", "Registration orders placed (free ones confirmed at once)")
SCANS = Counter("confops_checkin_scans_total", "Check-in scans answered, by result", ["result"])
JOB_RUNS = Counter("confops_job_runs_total", "Periodic job runs in this process, by job and outcome",
                   ["job", "outcome"])
JOB_SECONDS = Histogram("confops_job_duration_seconds", "How long periodic jobs ran, by job", ["job"],
                        buckets=(0.01, 0.1, 0.5, 1, 5, 30, 120, 600, 3600))
OUTBOX = Gauge("confops_outbox_messages", "E-mails in the outbox by state (pending includes being sent)",
               ["state"], **_LIVE)
OUTBOX_OLDEST = Gauge("confops_outbox_oldest_pending_seconds", "Age of the oldest e-mail waiting to be sent",
                      **_LIVE)
JOB_LAST_RUN = Gauge("confops_job_last_run_timestamp_seconds", "When each job last finished (cluster-wide)",
                     ["job"], **_LIVE)
JOB_LAST_OK = Gauge("confops_job_last_run_ok", "1 when the job's last run succeeded (cluster-wide)", ["job"], **_LIVE)


def job_finished(job: str, outcome: str, seconds: float) -> None:
    JOB_RUNS.labels(job, outcome).inc()
    JOB_SECONDS.labels(job).observe(seconds)


async def refresh_from_database() -> None:
    """The cluster-wide figures, read at scrape time."""
    from confops.core import clock
    from confops.core.tables import JobState, OutboxMessage

    rows = await OutboxMessage.raw(
        "SELECT status, COUNT(*) AS n, MIN(created_at) AS oldest FROM outbox_message "
        "WHERE status != 'sent' GROUP BY status")
    counts = {"pending": 0, "failed": 0}
    oldest = None
    for row in rows:
        state = "failed" if row["status"] == "failed" else "pending"
        counts[state] += row["n"]
        if state == "pending" and row["oldest"] is not None:
            stamp = row["oldest"]
            oldest = stamp if oldest is None or stamp < oldest else oldest
    for state, n in counts.items():
        OUTBOX.labels(state).set(n)
    OUTBOX_OLDEST.set(max(0.0, (clock.now() - _aware(oldest)).total_seconds()) if oldest else 0)
    for job in await JobState.select(JobState.name, JobState.last_finished_at, JobState.last_outcome):
        if job["last_finished_at"] is not None:
            JOB_LAST_RUN.labels(job["name"]).set(job["last_finished_at"].timestamp())
            JOB_LAST_OK.labels(job["name"]).set(1 if job["last_outcome"] == "ok" else 0)


def _aware(stamp):
    from datetime import UTC, datetime

    if isinstance(stamp, str):  # SQLite's raw rows give text
        stamp = datetime.fromisoformat(stamp)
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)


def exposition() -> bytes:
    if _MULTI:
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return generate_latest(registry)
    return generate_latest()

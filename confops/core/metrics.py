"""Prometheus metrics, served at /metrics.

Counted in the process that sees them: requests by route template and status, their latency,
orders placed, door scans by result, job runs. Read from the database when scraped, so any
host gives the cluster's figures: the outbox backlog and each job's last run.

Counting is on the door's and the rush's path, so it is plain dictionaries: a counter is one
dict update, a latency one bisect, several times cheaper than prometheus_client's objects and
its multiprocess mode. prometheus_client writes the
exposition at scrape time. With several server processes on a host (`confops serve
--workers N`), a scrape reaches one of them: each process then leaves a snapshot of its counts
in a folder of the host's (CONFOPS_METRICS_DIR, set by `confops serve`) every few seconds, and
the one answering adds them up with its own.
"""

from __future__ import annotations

import json
import os
from bisect import bisect_left
from collections import defaultdict
from pathlib import Path

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, HistogramMetricFamily

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10)
JOB_BUCKETS = (0.01, 0.1, 0.5, 1, 5, 30, 120, 600, 3600)

# name -> (help, label names); counters end in _total
COUNTERS = {
    "confops_http_requests_total": ("HTTP requests answered, by route template and status", ("method", "route", "status")),
    "confops_orders_placed_total": ("Registration orders placed (free ones confirmed at once)", ()),
    "confops_checkin_scans_total": ("Check-in scans answered, by result", ("result",)),
    "confops_job_runs_total": ("Periodic job runs in this process, by job and outcome", ("job", "outcome")),
}
HISTOGRAMS = {
    "confops_http_request_duration_seconds": ("Time to answer a request, by route template", ("route",), LATENCY_BUCKETS),
    "confops_job_duration_seconds": ("How long periodic jobs ran, by job", ("job",), JOB_BUCKETS),
}

_counts: defaultdict[tuple[str, tuple], float] = defaultdict(float)
_histograms: dict[tuple[str, tuple], list[float]] = {}  # per bucket (last: +Inf), then sum


def inc(name: str, labels: tuple = (), by: float = 1.0) -> None:
    _counts[(name, labels)] += by


def observe(name: str, labels: tuple, value: float) -> None:
    key = (name, labels)
    slots = _histograms.get(key)
    buckets = HISTOGRAMS[name][2]
    if slots is None:
        slots = _histograms[key] = [0.0] * (len(buckets) + 2)
    slots[bisect_left(buckets, value)] += 1
    slots[-1] += value


def request_done(method: str, route: str, status: int, seconds: float) -> None:
    _counts[("confops_http_requests_total", (method, route, status))] += 1
    observe("confops_http_request_duration_seconds", (route,), seconds)


def job_finished(job: str, outcome: str, seconds: float) -> None:
    inc("confops_job_runs_total", (job, outcome))
    observe("confops_job_duration_seconds", (job,), seconds)


# --- several processes on a host ------------------------------------------------------------

SNAPSHOT_SECONDS = 5.0


def _folder() -> Path | None:
    folder = os.environ.get("CONFOPS_METRICS_DIR", "")
    return Path(folder) if folder else None


def _snapshot() -> dict:
    return {"counts": [[n, list(labels), v] for (n, labels), v in _counts.items()],
            "histograms": [[n, list(labels), slots] for (n, labels), slots in _histograms.items()]}


def save_snapshot() -> None:
    """Leave this process's counts for the others on the host (the app's lifespan calls it every
    SNAPSHOT_SECONDS, and a scrape before answering)."""
    folder = _folder()
    if folder is None:
        return
    draft = folder / f".{os.getpid()}.json"
    draft.write_text(json.dumps(_snapshot()))
    draft.replace(folder / f"{os.getpid()}.json")


def _all_processes() -> tuple[dict, dict]:
    counts: defaultdict[tuple, float] = defaultdict(float, _counts)
    histograms = {k: list(v) for k, v in _histograms.items()}
    folder = _folder()
    if folder is not None:
        for path in folder.glob("*.json"):
            if path.stem == str(os.getpid()):
                continue
            try:
                other = json.loads(path.read_text())
            except (OSError, ValueError):
                continue
            for name, labels, value in other["counts"]:
                counts[(name, tuple(labels))] += value
            for name, labels, slots in other["histograms"]:
                mine = histograms.setdefault((name, tuple(labels)), [0.0] * len(slots))
                for i, v in enumerate(slots):
                    mine[i] += v
    return counts, histograms


# --- exposition -------------------------------------------------------------------------------

_gauges: list[GaugeMetricFamily] = []


async def refresh_from_database() -> None:
    """The cluster-wide figures, read at scrape time."""
    from datetime import UTC

    from confops.core import clock
    from confops.core.tables import JobState, OutboxMessage, OutboxStatus

    outbox = GaugeMetricFamily("confops_outbox_messages", "E-mails in the outbox by state (pending includes being sent)",
                               labels=["state"])
    waiting = [OutboxStatus.pending.value, OutboxStatus.sending.value]
    outbox.add_metric(["pending"], await OutboxMessage.count().where(OutboxMessage.status.is_in(waiting)))
    outbox.add_metric(["failed"], await OutboxMessage.count().where(OutboxMessage.status == OutboxStatus.failed.value))
    oldest = await OutboxMessage.select(OutboxMessage.created_at).where(OutboxMessage.status.is_in(waiting)).order_by(
        OutboxMessage.created_at).first()
    age = GaugeMetricFamily("confops_outbox_oldest_pending_seconds", "Age of the oldest e-mail waiting to be sent")
    age.add_metric([], max(0.0, (clock.now() - oldest["created_at"]).total_seconds()) if oldest else 0.0)
    last_run = GaugeMetricFamily("confops_job_last_run_timestamp_seconds", "When each job last finished (cluster-wide)",
                                 labels=["job"])
    last_ok = GaugeMetricFamily("confops_job_last_run_ok", "1 when the job's last run succeeded (cluster-wide)",
                                labels=["job"])
    for job in await JobState.select(JobState.name, JobState.last_finished_at, JobState.last_outcome):
        if job["last_finished_at"] is not None:
            stamp = job["last_finished_at"]
            stamp = stamp if stamp.tzinfo else stamp.replace(tzinfo=UTC)
            last_run.add_metric([job["name"]], stamp.timestamp())
            last_ok.add_metric([job["name"]], 1.0 if job["last_outcome"] == "ok" else 0.0)
    _gauges[:] = [outbox, age, last_run, last_ok]


class _Collector:
    def collect(self):
        counts, histograms = _all_processes()
        for name, (text, labels) in COUNTERS.items():
            family = CounterMetricFamily(name.removesuffix("_total"), text, labels=list(labels))
            for (n, values), value in counts.items():
                if n == name:
                    family.add_metric([str(v) for v in values], value)
            yield family
        for name, (text, labels, buckets) in HISTOGRAMS.items():
            family = HistogramMetricFamily(name, text, labels=list(labels))
            for (n, values), slots in histograms.items():
                if n != name:
                    continue
                running, cumulative = 0.0, []
                for bound, count in zip((*buckets, float("inf")), slots[:-1], strict=True):
                    running += count
                    cumulative.append((str(bound) if bound != float("inf") else "+Inf", running))
                family.add_metric([str(v) for v in values], cumulative, slots[-1])
            yield family
        yield from _gauges


def exposition() -> bytes:
    save_snapshot()
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Collector())
    return generate_latest(registry)

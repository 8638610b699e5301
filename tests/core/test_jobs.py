"""Periodic jobs run once per period across every process (a lease in the database), each run
recorded and logged; a worker stops cleanly. Before the lease, each process kept its own
timers: the daily purge ran 5 times within 5 seconds of a start with 4 web processes and a
worker, and `confops worker` died on SIGTERM with exit 143."""

import asyncio
import logging
import os
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest

from confops.core import clock
from confops.core.tables import JobState
from confops.core.worker import Job, Worker

ROOT = Path(__file__).resolve().parents[2]


def counting_job(name="daily", every=24 * 3600, seconds=0.2, fail=False, started=None):
    calls = []

    async def run() -> int:
        calls.append(time.monotonic())
        if started is not None:
            started.set()
        await asyncio.sleep(seconds)
        if fail:
            raise RuntimeError("the mail server said no")
        return 3

    return Job(name, every, run), calls


async def _run_for(workers: list[Worker], seconds: float) -> None:
    tasks = [asyncio.create_task(w.run_forever()) for w in workers]
    await asyncio.sleep(seconds)
    for w in workers:
        w.stop()
    await asyncio.gather(*tasks)


async def test_five_processes_run_a_daily_job_once(db):
    job, calls = counting_job()
    workers = [Worker([job]) for _ in range(5)]  # 4 web processes and `confops worker`
    await _run_for(workers, 2.5)
    assert len(calls) == 1
    row = await JobState.select().where(JobState.name == "daily").first()
    assert row["runs"] == 1 and row["last_outcome"] == "ok" and row["last_handled"] == 3
    assert row["last_duration_ms"] >= 150 and row["lease_owner"] == "" and row["lease_until"] is None
    assert row["next_due_at"] > clock.now() + timedelta(hours=23)


async def test_a_job_comes_due_again_after_its_period(db):
    job, calls = counting_job(every=3600, seconds=0)
    start = clock.now()
    with clock.frozen_at(start):
        await Worker([job]).run_once()
        await _run_for([Worker([job]), Worker([job])], 1.3)
        assert len(calls) == 1  # not due yet
        clock.advance(timedelta(hours=1, seconds=1))
        await _run_for([Worker([job]), Worker([job])], 1.3)
    assert len(calls) == 2


async def test_a_failure_is_recorded_logged_and_retried_sooner(db, caplog):
    job, calls = counting_job(fail=True, seconds=0)
    with caplog.at_level(logging.INFO, logger="confops.jobs"):
        await _run_for([Worker([job])], 1.2)
    row = await JobState.select().where(JobState.name == "daily").first()
    assert row["last_outcome"] == "failed" and row["failures"] == 1
    assert "RuntimeError: the mail server said no" in row["last_error"]
    assert row["next_due_at"] < clock.now() + timedelta(minutes=6)  # not a day later
    lines = [r for r in caplog.records if getattr(r, "job", None) == "daily" and getattr(r, "outcome", None)]
    assert [r.outcome for r in lines] == ["failed"] and lines[0].levelname == "WARNING"


async def test_every_run_writes_one_log_line(db, caplog):
    job, _ = counting_job(seconds=0)
    with caplog.at_level(logging.INFO, logger="confops.jobs"):
        await Worker([job]).run_once()
    lines = [r for r in caplog.records if getattr(r, "job", None) == "daily"]
    assert len(lines) == 1 and lines[0].outcome == "ok" and lines[0].handled == 3
    assert lines[0].duration_ms >= 0


async def test_a_dead_process_lease_runs_out_and_another_takes_the_job(db):
    job, calls = counting_job(seconds=0)
    dead = Worker([job])
    await dead._ensure_rows()
    assert await dead._claim(job)  # claimed, then the process died without finishing
    await JobState.update({JobState.next_due_at: clock.now() - timedelta(seconds=1)}).where(JobState.name == "daily")
    await _run_for([Worker([job])], 1.2)
    assert calls == []  # the lease still holds
    with clock.frozen_at(clock.now() + timedelta(minutes=3)):
        await _run_for([Worker([job])], 1.2)
    assert len(calls) == 1


async def test_stopping_mid_job_hands_the_lease_back(db):
    started = asyncio.Event()
    job, calls = counting_job(seconds=30, started=started)
    worker = Worker([job], grace_seconds=0.3)
    task = asyncio.create_task(worker.run_forever())
    await asyncio.wait_for(started.wait(), timeout=10)
    worker.stop()
    await asyncio.wait_for(task, timeout=5)
    row = await JobState.select().where(JobState.name == "daily").first()
    assert row["last_outcome"] == "interrupted" and row["lease_owner"] == "" and row["lease_until"] is None
    assert row["next_due_at"] <= clock.now()  # due again at once, for whichever process is left


def test_confops_worker_stops_cleanly_on_sigterm(tmp_path):
    env = {**os.environ, "CONFOPS_VAR_DIR": str(tmp_path), "CONFOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'w.db'}",
           "CONFOPS_ENV": "development"}
    cli = [sys.executable, "-m", "confops.cli"]
    assert subprocess.run([*cli, "migrate"], cwd=ROOT, env=env, capture_output=True, timeout=120).returncode == 0
    log = (tmp_path / "worker.log").open("wb")
    worker = subprocess.Popen([*cli, "worker"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 60
        while b'"outcome": "ok"' not in (tmp_path / "worker.log").read_bytes():
            assert time.monotonic() < deadline and worker.poll() is None, (tmp_path / "worker.log").read_text()
            time.sleep(0.2)
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, (tmp_path / "worker.log").read_text()
    finally:
        if worker.poll() is None:
            worker.kill()
    import sqlite3

    held = sqlite3.connect(tmp_path / "w.db").execute("SELECT COUNT(*) FROM job_state WHERE lease_owner != ''").fetchone()
    assert held == (0,)


@pytest.mark.parametrize("names", [["a", "a"]])
def test_job_names_are_unique(names):
    with pytest.raises(ValueError):
        Worker([counting_job(n)[0] for n in names])

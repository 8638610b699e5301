"""Two hosts running `confops migrate` at the same moment (a deploy starts every host's unit at
once): both finish, one after the other, instead of one failing with a unique violation."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import PG_URL
from tests.support.databases import _pg_admin_url, _with_db, pg_execute, run_sync, unique_name

ROOT = Path(__file__).resolve().parents[1]


def _migrate_together(url: str, tmp_path: Path, n: int = 2) -> list[subprocess.CompletedProcess]:
    start = time.time() + 3  # every process has imported by then; all start migrating at once
    code = ("import sys, time; time.sleep(max(0, float(sys.argv[1]) - time.time())); "
            "from confops.cli import main; main(['migrate'])")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(start)], cwd=ROOT, text=True,
                              env={**os.environ, "CONFOPS_DATABASE_URL": url, "CONFOPS_VAR_DIR": str(tmp_path / f"h{i}")},
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE) for i in range(n)]
    return [subprocess.CompletedProcess(p.args, p.wait(timeout=240), *p.communicate()) for p in procs]


@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_concurrent_migrations_wait_for_each_other(engine, tmp_path):
    if engine == "postgres":
        if not PG_URL:
            pytest.skip("PostgreSQL run needs CONFOPS_TEST_DATABASE_URL")
        name = unique_name("confops_migrate")
        run_sync(pg_execute(_pg_admin_url(PG_URL), f'CREATE DATABASE "{name}"'))
        url = _with_db(PG_URL, name)
    else:
        url = f"sqlite:///{tmp_path / 'shared.db'}"
    try:
        runs = _migrate_together(url, tmp_path)
        for run in runs:
            assert run.returncode == 0, run.stderr[-3000:]
            assert "Database is up to date." in run.stdout
    finally:
        if engine == "postgres":
            run_sync(pg_execute(_pg_admin_url(PG_URL), f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

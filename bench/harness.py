"""What the HTTP benchmarks share: a scratch PostgreSQL database, the real server started on it
(`confops serve`, 2 workers by default) and waited for, and the load run from a separate process
(the client must not share the server's interpreter).

    with scratch_database(admin_url, "rush") as db_url:
        prepare(db_url)
        with serving(db_url, server="uvicorn") as server:
            result = fire_from_child(__file__, ["--port", str(server.port)])  # the child: hand_back(result)
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.support.databases import pg_execute  # noqa: E402  (benches run from a checkout, like the tests)

SECRET = "bench-secret-key-that-is-long-enough-012345"
DEFAULT_PG = os.environ.get("CONFOPS_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/postgres")


async def pg_fetchval(url: str, sql: str):
    import asyncpg

    conn = await asyncpg.connect(url)
    try:
        return await conn.fetchval(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def scratch_database(admin_url: str, prefix: str) -> Iterator[str]:
    """A new, empty database next to `admin_url`'s, dropped afterwards whatever happens."""
    name = f"confops_{prefix}_{uuid.uuid4().hex[:8]}"
    asyncio.run(pg_execute(admin_url, f'CREATE DATABASE "{name}"'))
    try:
        yield urlunparse(urlparse(admin_url)._replace(path=f"/{name}"))
    finally:
        asyncio.run(pg_execute(admin_url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


class Served(NamedTuple):
    port: int
    pid: int  # the server's main process; its workers are its children


@contextlib.contextmanager
def serving(db_url: str, *, server: str = "uvicorn", workers: int = 2, env: dict[str, str] | None = None,
            start_timeout: float = 60) -> Iterator[Served]:
    """`confops serve` on a free port, ready (GET /health answered 200); stopped on the way out.
    Its output goes to server.log in a temporary var directory, named if it fails to start."""
    import httpx

    from tests.support.smtp import free_port

    port = free_port()
    var = Path(tempfile.mkdtemp(prefix="confops-bench-"))
    full_env = {**os.environ, "CONFOPS_DATABASE_URL": db_url, "CONFOPS_VAR_DIR": str(var),
                "CONFOPS_ENV": "development", "CONFOPS_SECRET_KEY": SECRET,
                "CONFOPS_BASE_URL": f"http://127.0.0.1:{port}", **(env or {})}
    with open(var / "server.log", "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "confops.cli", "serve", "--workers", str(workers),
                                 "--port", str(port), "--server", server],
                                cwd=ROOT, env=full_env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + start_timeout
            while True:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise SystemExit(f"server did not start; see {var / 'server.log'}")
                time.sleep(0.2)
            yield Served(port, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()


def cpu_seconds(server_pid: int, database: str) -> tuple[float, float]:
    """CPU seconds used so far by the server (its main process and its workers) and by the
    PostgreSQL backends connected to `database`, read from /proc (Linux). Taken before and after
    a run, it gives the CPU a request costs, which the machine's speed moves less than the
    throughput (the machines here drift by 40% within an hour)."""
    tick = os.sysconf("SC_CLK_TCK")
    server = db = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # gone meanwhile
            continue
        fields = stat[stat.rindex(")") + 2:].split()  # after "pid (name) "
        ppid, used = int(fields[1]), (int(fields[11]) + int(fields[12])) / tick
        if int(entry.name) == server_pid or ppid == server_pid:
            server += used
        elif cmdline.startswith("postgres: ") and f" {database} " in cmdline:
            db += used
    return server, db


def workers_of(server_pid: int, server_port: int) -> dict[int, int]:
    """{client's port: server process} for the connections open to the server now (Linux:
    /proc/net/tcp and each process's sockets). Each keep-alive connection stays with the worker
    that accepted it, and which one that is, is chance (12/20 was seen): the bench prints the
    split with each worker's p99, to tell one busier worker's tail from a shared one."""
    by_inode: dict[str, int] = {}
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, remote, state, inode = fields[1], fields[2], fields[3], fields[9]
                if state == "01" and int(local.rsplit(":", 1)[1], 16) == server_port:
                    by_inode[inode] = int(remote.rsplit(":", 1)[1], 16)
    found: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if entry.name != str(server_pid) and int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) \
                    != server_pid:
                continue
            for fd in (entry / "fd").iterdir():
                target = os.readlink(fd)
                if target.startswith("socket:[") and target[8:-1] in by_inode:
                    found[by_inode[target[8:-1]]] = int(entry.name)
        except OSError:  # gone meanwhile
            continue
    return found


def fire_from_child(script: str, args: list[str], timeout: float = 1200) -> dict:
    """Run `script --fire …` (the load) in its own process; it hands its result back with
    `hand_back`, in a file (on stdout, a result of a few hundred KB was at times cut at 128 KB)."""
    with tempfile.TemporaryDirectory(prefix="confops-bench-") as scratch:
        result = Path(scratch) / "result.json"
        out = subprocess.run([sys.executable, script, *args], capture_output=True, text=True, timeout=timeout,
                             env={**os.environ, "CONFOPS_BENCH_RESULT": str(result)})
        if out.returncode:
            raise SystemExit(out.stderr[-3000:])
        return json.loads(result.read_text())


def hand_back(result: dict) -> None:
    """The load's result, for `fire_from_child` in the parent process."""
    Path(os.environ["CONFOPS_BENCH_RESULT"]).write_text(json.dumps(result))

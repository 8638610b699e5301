"""A real server process for browser tests: `confops serve` on a free port, on the test's database."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.smtp import free_port

ROOT = Path(__file__).resolve().parents[2]


def server_env(db_url: str, var_dir: Path, smtp_url: str, secret: str, **extra: str) -> dict[str, str]:
    """The environment of a test server: the test's database, var dir and SMTP server."""
    return {"CONFOPS_ENV": "test", "CONFOPS_DATABASE_URL": db_url, "CONFOPS_VAR_DIR": str(var_dir),
            "CONFOPS_SECRET_KEY": secret, "CONFOPS_SMTP_URL": smtp_url, **extra}


class LiveServer:
    def __init__(self, env: dict[str, str]) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {**os.environ, **env, "CONFOPS_BASE_URL": self.url}
        self.process: subprocess.Popen | None = None
        self.log = Path(env["CONFOPS_VAR_DIR"]) / f"server-{self.port}.log"

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        out = self.log.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "confops.cli", "serve", "--port", str(self.port)],
            cwd=ROOT, env=self.env, stdout=out, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120  # generous: CI machines are 2 cores and often busy
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-3000:]}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"server did not start: {self.log.read_text()[-3000:]}")

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

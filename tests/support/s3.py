"""A real S3-compatible server for tests: moto in server mode (PyPI `moto[server]`), started
once per test session on a free loopback port, as localstripe is for Stripe. Each test gets a
bucket of its own."""

from __future__ import annotations

import importlib.util
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.smtp import free_port

ACCESS_KEY = "confops-test-access"
SECRET_KEY = "confops-test-secret"
REGION = "us-east-1"


def available() -> bool:
    return importlib.util.find_spec("moto") is not None


@dataclass
class S3Server:
    url: str
    process: subprocess.Popen

    @classmethod
    def start(cls, log_dir: Path) -> S3Server:
        port = free_port()
        log = (log_dir / "moto.log").open("wb")
        process = subprocess.Popen([sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(port)],
                                   stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{url}/moto-api/", timeout=1)
                return cls(url, process)
            except httpx.HTTPError:
                if time.monotonic() > deadline or process.poll() is not None:
                    process.kill()
                    raise RuntimeError(f"moto server did not start: {(log_dir / 'moto.log').read_text()[-2000:]}") from None
                time.sleep(0.1)

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)

    def new_bucket(self) -> str:
        import boto3

        name = f"confops-{secrets.token_hex(6)}"
        boto3.client("s3", endpoint_url=self.url, region_name=REGION, aws_access_key_id=ACCESS_KEY,
                     aws_secret_access_key=SECRET_KEY).create_bucket(Bucket=name)
        return name

    def settings_for(self, bucket: str, prefix: str = "files") -> dict[str, str]:
        """The Settings fields (as keyword arguments) that point confops at this bucket."""
        return {"storage_url": f"s3://{bucket}/{prefix}", "s3_endpoint": self.url, "s3_region": REGION,
                "s3_access_key_id": ACCESS_KEY, "s3_secret_access_key": SECRET_KEY}

    def env_for(self, bucket: str, prefix: str = "files") -> dict[str, str]:
        return {f"CONFOPS_{k.upper()}": v for k, v in self.settings_for(bucket, prefix).items()}

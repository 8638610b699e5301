"""What works on a laptop but silently misbehaves in production is refused at start, with the
reason: several processes without a shared Redis and PostgreSQL, several hosts without shared
file storage, the example sender."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from settings import SettingsError, load_settings, production_problems

ROOT = Path(__file__).resolve().parents[1]
SOUND = {
    "CONFOPS_ENV": "production", "CONFOPS_SECRET_KEY": "k" * 40, "CONFOPS_BASE_URL": "https://events.abs.test",
    "CONFOPS_SMTP_URL": "smtp://mail.abs.test:25", "CONFOPS_MAIL_FROM": "ABS Events <events@abs.test>",
    "CONFOPS_DATABASE_URL": "postgresql://confops@db.abs.test/confops",
}


def _refused(tmp_path, **env) -> str:
    with pytest.raises(SettingsError) as err:
        load_settings({**SOUND, "CONFOPS_VAR_DIR": str(tmp_path), **env})
    return str(err.value)


def test_a_sound_production_setup_starts(tmp_path):
    s = load_settings({**SOUND, "CONFOPS_VAR_DIR": str(tmp_path)})
    assert s.production and s.instances == 1


def test_the_example_sender_is_refused_in_production(tmp_path):
    env = {k: v for k, v in SOUND.items() if k != "CONFOPS_MAIL_FROM"}
    with pytest.raises(SettingsError, match="example sender"):
        load_settings({**env, "CONFOPS_VAR_DIR": str(tmp_path)})
    assert "example sender" in _refused(tmp_path, CONFOPS_MAIL_FROM="Events <noreply@EXAMPLE.com>")


def test_several_instances_need_redis_postgres_and_a_bucket(tmp_path):
    text = _refused(tmp_path, CONFOPS_INSTANCES="2", CONFOPS_DATABASE_URL="sqlite:///x.db")
    assert "CONFOPS_REDIS_URL" in text and "PostgreSQL" in text and "CONFOPS_STORAGE_URL=s3://" in text
    # a local folder is one host's disk, even when named explicitly
    text = _refused(tmp_path, CONFOPS_INSTANCES="3", CONFOPS_REDIS_URL="redis://r:6379/0",
                    CONFOPS_STORAGE_URL=f"file://{tmp_path}")
    assert "CONFOPS_STORAGE_URL=s3://" in text and "CONFOPS_REDIS_URL" not in text
    ok = load_settings({**SOUND, "CONFOPS_VAR_DIR": str(tmp_path), "CONFOPS_INSTANCES": "3",
                        "CONFOPS_REDIS_URL": "redis://r:6379/0", "CONFOPS_STORAGE_URL": "s3://abs-files/confops"})
    assert ok.instances == 3


def test_one_host_with_several_workers_needs_redis(tmp_path):
    s = load_settings({**SOUND, "CONFOPS_VAR_DIR": str(tmp_path)})
    assert production_problems(s, workers=1) == []
    assert any("CONFOPS_REDIS_URL" in p for p in production_problems(s, workers=4))


def test_serve_with_several_workers_and_no_redis_is_refused_in_production(tmp_path):
    """The live counts of a door showed 13 of 30 scans with 4 workers and no Redis: each worker
    counted its own. `confops serve --workers 4` must not start like that."""
    env = {**os.environ, **SOUND, "CONFOPS_VAR_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-m", "confops.cli", "serve", "--workers", "4", "--port", "1"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=30)
    assert out.returncode != 0 and "CONFOPS_REDIS_URL" in out.stderr


def test_development_allows_a_laptop_setup(tmp_path):
    s = load_settings({"CONFOPS_VAR_DIR": str(tmp_path), "CONFOPS_INSTANCES": "2"})
    assert s.instances == 2 and s.storage_url == ""


@pytest.mark.parametrize("env, message", [
    ({"CONFOPS_STORAGE_URL": "/srv/files"}, "CONFOPS_STORAGE_URL must start"),
    ({"CONFOPS_STORAGE_URL": "s3://"}, "needs a bucket name"),
    ({"CONFOPS_LOG_FORMAT": "xml"}, "CONFOPS_LOG_FORMAT must be"),
    ({"CONFOPS_INSTANCES": "two"}, "CONFOPS_INSTANCES must be a whole number"),
])
def test_bad_operations_values_are_named(tmp_path, env, message):
    with pytest.raises(SettingsError, match=message):
        load_settings({"CONFOPS_VAR_DIR": str(tmp_path), **env})


def test_the_default_sqlite_file_lives_in_the_var_folder(tmp_path):
    s = load_settings({"CONFOPS_VAR_DIR": str(tmp_path / "here")})
    assert s.database_url == f"sqlite:///{tmp_path / 'here' / 'confops.db'}"

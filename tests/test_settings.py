import re

import pytest

from settings import ROOT, SPECS, SettingsError, load_settings


def test_development_defaults_work_without_any_environment(tmp_path):
    s = load_settings({"CONFOPS_VAR_DIR": str(tmp_path)})
    assert s.env == "development"
    assert s.database_url == f"sqlite:///{tmp_path / 'confops.db'}"
    assert s.base_url == "http://127.0.0.1:8000"
    assert len(s.secret_key) >= 32
    assert not s.stripe_enabled and s.smtp_url == ""
    # the generated key is kept, so sessions survive a restart
    assert load_settings({"CONFOPS_VAR_DIR": str(tmp_path)}).secret_key == s.secret_key
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_processes_starting_together_share_one_generated_key(tmp_path):
    """A fresh checkout where several processes start at once (test workers, server workers):
    each must get the same, complete key (this failed once in CI-like runs with FileExistsError)."""
    import subprocess
    import sys
    import time

    start = time.time() + 2  # every process imports first, then all ask for the key at this moment
    code = ("import sys, time; sys.path.insert(0, sys.argv[1]); from settings import load_settings; "
            "time.sleep(max(0, float(sys.argv[3]) - time.time())); "
            "print(load_settings({'CONFOPS_VAR_DIR': sys.argv[2]}).secret_key)")
    procs = [subprocess.Popen([sys.executable, "-c", code, str(ROOT), str(tmp_path), str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(8)]
    keys = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        keys.append(out.strip())
    assert len(set(keys)) == 1 and len(keys[0]) >= 32
    assert (tmp_path / "secret_key").read_text().strip() == keys[0]
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no drafts left behind


def test_production_refuses_development_defaults(tmp_path):
    with pytest.raises(SettingsError) as err:
        load_settings({"CONFOPS_ENV": "production", "CONFOPS_VAR_DIR": str(tmp_path)})
    text = str(err.value)
    assert "CONFOPS_SECRET_KEY is required" in text
    assert "CONFOPS_BASE_URL must be https" in text
    assert "CONFOPS_SMTP_URL is required" in text
    assert not (tmp_path / "secret_key").exists(), "production must never generate a key"


def test_production_starts_with_real_settings(tmp_path):
    s = load_settings({
        "CONFOPS_ENV": "production", "CONFOPS_VAR_DIR": str(tmp_path),
        "CONFOPS_SECRET_KEY": "x" * 40, "CONFOPS_BASE_URL": "https://events.example.org/",
        "CONFOPS_SMTP_URL": "smtps://u:p@mail.example.org", "CONFOPS_DATABASE_URL": "postgresql://db/confops",
        "CONFOPS_MAIL_FROM": "ABS Events <events@americanbalintsociety.org>",
    })
    assert s.production and s.base_url == "https://events.example.org" and s.secure_cookies


@pytest.mark.parametrize("env, message", [
    ({"CONFOPS_ENV": "staging"}, "CONFOPS_ENV must be"),
    ({"CONFOPS_DATABASE_URL": "mysql://x"}, "CONFOPS_DATABASE_URL must start"),
    ({"CONFOPS_ORDER_HOLD_MINUTES": "soon"}, "CONFOPS_ORDER_HOLD_MINUTES must be a whole number"),
    ({"CONFOPS_ORDER_HOLD_MINUTES": "-5"}, "must be positive"),
    ({"CONFOPS_IN_APP_WORKER": "maybe"}, "CONFOPS_IN_APP_WORKER must be"),
    ({"CONFOPS_STRIPE_SECRET_KEY": "sk_test_1"}, "CONFOPS_STRIPE_WEBHOOK_SECRET is required"),
    ({"CONFOPS_SMTP_URL": "mail.example.org"}, "CONFOPS_SMTP_URL must start"),
])
def test_bad_values_are_named(tmp_path, env, message):
    with pytest.raises(SettingsError, match=re.escape(message)):
        load_settings({"CONFOPS_VAR_DIR": str(tmp_path), **env})


def test_every_setting_is_in_the_readme_table_and_read_by_load_settings():
    readme = (ROOT / "README.md").read_text()
    source = (ROOT / "settings.py").read_text()
    for spec in SPECS:
        assert f"`{spec.name}`" in readme, f"{spec.name} missing from the README settings table"
        assert source.count(f'"{spec.name}"') >= 2, f"{spec.name} is documented but never read"
    read = set(re.findall(r'"(CONFOPS_[A-Z0-9_]+)"', source))
    assert read == {s.name for s in SPECS}

"""`confops groups assign SLUG [--seed N]` as a user runs it: the quality report, the same
groups for the same seed, a clear message for an unknown event."""

from tests.test_cli import confops


def test_groups_assign_prints_the_quality_report(tmp_path):
    env = {"CONFOPS_VAR_DIR": str(tmp_path), "CONFOPS_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "CONFOPS_ENV": "development"}
    assert confops("migrate", env=env).returncode == 0
    assert confops("demo", env=env).returncode == 0
    first = confops("groups", "assign", "abs-national-meeting", "--seed", "3", env=env)
    assert first.returncode == 0, first.stderr
    out = first.stdout
    assert "abs-national-meeting: 33 participants, 6 leaders, seed 3" in out
    for figure in ("spread", "institution clashes", "leader pairs unmixed", "pins broken: 0"):
        assert figure in out
    assert "every constraint is met." in out and "Stored as draft run" in out
    again = confops("groups", "assign", "abs-national-meeting", "--seed", "3", env=env)
    groups = [line for line in out.splitlines() if line.startswith("group ")]
    assert groups and groups == [line for line in again.stdout.splitlines() if line.startswith("group ")]
    missing = confops("groups", "assign", "no-such-event", env=env)
    assert missing.returncode != 0 and "no-such-event" in missing.stderr

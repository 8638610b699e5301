"""`confops check` compares the sales counters with the rows they count (issue 24)."""

import sqlite3

from tests.test_cli import confops, fresh_env  # noqa: F401 - the fixture


def test_the_demo_is_consistent_and_a_broken_counter_is_reported(fresh_env):  # noqa: F811
    assert confops("migrate", env=fresh_env).returncode == 0
    assert confops("demo", env=fresh_env).returncode == 0
    clean = confops("check", env=fresh_env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "0 difference(s)" in clean.stdout
    path = fresh_env["CONFOPS_DATABASE_URL"].removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        db.execute("UPDATE event_sales SET sold = sold + 2 WHERE event = "
                   "(SELECT id FROM event WHERE slug = 'abs-national-meeting')")
    broken = confops("check", "--event", "abs-national-meeting", env=fresh_env)
    assert broken.returncode == 1
    assert "abs-national-meeting: places sold (attendees + open waitlist offers): counter" in broken.stdout
    assert "1 difference(s)" in broken.stdout

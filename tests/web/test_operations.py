"""What an operator sees: /health part by part, a JSON log line per request with its request
id (and no tokens), Prometheus metrics, and the background jobs page for admins. Before:
/health checked only the database, logs were plain text without request ids, there were no
metrics, and failed mail showed only in the raw admin table."""

import dataclasses
import io
import json

import pytest

from confops.core import clock
from confops.core.tables import JobState, OutboxMessage
from confops.core.worker import Job, Worker
from tests.speakers.people import sign_in, staff_sign_in
from tests.support.http import post_form, running
from tests.support.smtp import free_port


async def test_health_reports_every_part(client):
    body = (await client.get("/health")).json()
    for part in ("database", "migrations", "redis", "storage", "outbox", "secret_key"):
        assert body[part] == "ok", body
    assert body["status"] == "ok" and "folder" in body["details"]["storage"]


async def test_health_says_what_is_degraded_and_stays_200(settings, tmp_path):
    from confops.app import create_app

    broken = dataclasses.replace(settings, redis_url=f"redis://127.0.0.1:{free_port()}/0",
                                 storage_url="s3://confops-nowhere", s3_endpoint="http://127.0.0.1:9",
                                 s3_access_key_id="a", s3_secret_access_key="b")
    await OutboxMessage.insert(OutboxMessage(to_address="a@x.test", subject="s", payload="{}", status="failed",
                                             last_error="550 no such user"))
    async with running(create_app(broken)) as client:
        r = await client.get("/health")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "degraded"
    assert body["redis"] == body["storage"] == body["outbox"] == "degraded"
    assert body["database"] == body["migrations"] == "ok"
    assert "unreachable" in body["details"]["redis"] and "1 failed" in body["details"]["outbox"]


async def test_health_reports_pending_migrations(client, app):
    from piccolo.apps.migrations.tables import Migration

    last = await Migration.select().order_by(Migration.id, ascending=False).first()
    await Migration.delete().where(Migration.id == last["id"])
    try:
        app.state.health_kept.clear()  # the parts are checked again after PARTS_SECONDS (5 s); not waited for here
        body = (await client.get("/health")).json()
        assert body["migrations"] == "degraded" and "1 pending" in body["details"]["migrations"]
    finally:
        # The schema is migrated once per test process and emptying keeps this table: a row left
        # out here made every later /health in the process say "degraded".
        await Migration.insert(Migration(**last))


async def test_health_says_when_this_host_has_another_secret_key(settings, demo):
    """A host without the shared key answered 500 on every scan and ok on /health."""
    from confops.app import create_app
    from confops.checkin.service import event_key
    from confops.events.tables import Event

    event = await Event.select(Event.id).first()
    await event_key(event["id"], settings.secret_key)
    other = dataclasses.replace(settings, secret_key="another-secret-key-that-is-long-enough-000")
    async with running(create_app(other)) as client:
        body = (await client.get("/health")).json()
    assert body["secret_key"] == "degraded" and "CONFOPS_SECRET_KEY" in body["details"]["secret_key"]


async def test_each_request_is_one_json_line_with_a_request_id_and_no_token(client):
    from confops.core.logs import request_log

    request_log.flush()
    request_log.stream = captured = io.StringIO()
    try:
        r = await client.get("/calendar/secret-calendar-token-123/agenda.ics?token=other-secret",
                             headers={"X-Request-ID": "proxy-req-12345678"})
        await client.get("/health")
        request_log.flush()
    finally:
        request_log.stream = None
    assert r.headers["x-request-id"] == "proxy-req-12345678"
    lines = [json.loads(line) for line in captured.getvalue().splitlines()]
    first, second = lines
    assert first["request_id"] == "proxy-req-12345678" and first["method"] == "GET"
    assert first["route"] == "/calendar/{token}/agenda.ics" and first["path"] == "/calendar/*/agenda.ics"
    assert first["status"] == r.status_code and first["duration_ms"] >= 0
    assert "secret" not in json.dumps(lines)
    assert second["request_id"] != first["request_id"] and len(second["request_id"]) == 16


async def test_a_hostile_request_id_is_replaced(client):
    r = await client.get("/health", headers={"X-Request-ID": "x\"}\n{\"level\": \"fake"})
    assert r.headers["x-request-id"] != "x" and len(r.headers["x-request-id"]) == 16


async def test_metrics_count_requests_outbox_and_jobs(client, settings):
    await client.get("/health")
    await client.get("/no/such/page")

    async def nothing() -> int:
        return 0

    await Worker([Job("metrics-test", 60, nothing)]).run_once()
    await OutboxMessage.insert(OutboxMessage(to_address="a@x.test", subject="s", payload="{}", last_error="",
                                             next_attempt_at=clock.now()))
    text = (await client.get("/metrics")).text
    assert 'confops_http_requests_total{method="GET",route="/health",status="200"}' in text
    assert 'route="(unrouted)",status="404"' in text
    assert 'confops_http_request_duration_seconds_bucket{le="0.005",route="/health"}' in text
    assert 'confops_outbox_messages{state="pending"} 1.0' in text
    assert 'confops_job_last_run_ok{job="metrics-test"} 1.0' in text
    assert 'confops_job_runs_total{job="metrics-test",outcome="ok"}' in text


async def test_metrics_can_require_a_token(settings):
    from confops.app import create_app

    async with running(create_app(dataclasses.replace(settings, metrics_token="scrape-me"))) as client:
        assert (await client.get("/metrics")).status_code == 404
        ok = await client.get("/metrics", headers={"Authorization": "Bearer scrape-me"})
    assert ok.status_code == 200 and "confops_http_requests_total" in ok.text


async def test_admins_see_jobs_and_failed_mail_and_can_act(client, demo):
    async def two() -> int:
        return 2

    await Worker([Job("purge-personal-data", 86400, two)]).run_once()
    failed = OutboxMessage(to_address="b@x.test", subject="Your receipt", payload="{}", status="failed",
                           attempts=8, last_error="SMTPRecipientsRefused: 550")
    await failed.save()
    await sign_in(client, "olga@example.org")  # a speaker, not staff
    assert (await client.get("/staff/jobs")).status_code in (303, 403)
    await staff_sign_in(client)
    page = await client.get("/staff/jobs")
    assert page.status_code == 200
    assert "purge-personal-data" in page.text and "every 1 day" in page.text and "2 handled" in page.text
    assert "Your receipt" in page.text and "550" in page.text
    r = await post_form(client, "/staff/jobs/purge-personal-data/run", {})
    assert r.status_code == 303
    row = await JobState.select().where(JobState.name == "purge-personal-data").first()
    assert row["next_due_at"] <= clock.now()
    r = await post_form(client, f"/staff/jobs/mail/{failed.id}/retry", {})
    assert r.status_code == 303
    again = await OutboxMessage.select().where(OutboxMessage.id == failed.id).first()
    assert again["status"] == "pending" and again["attempts"] == 0
    assert (await post_form(client, "/staff/jobs/no-such-job/run", {})).status_code == 404


def test_job_log_lines_are_json_with_their_fields(caplog):
    import logging

    from confops.core.logs import JsonFormatter

    record = logging.LogRecord("confops.jobs", logging.INFO, "", 0, "job %s ok", ("x",), None)
    record.job, record.outcome, record.email = "x", "ok", "someone@example.org"
    line = json.loads(JsonFormatter().format(record))
    assert line["job"] == "x" and line["outcome"] == "ok" and line["msg"] == "job x ok"
    assert "email" not in line  # only the known fields are written


@pytest.mark.parametrize("fmt", ["json", "text"])
def test_log_configuration_for_servers(fmt):
    from confops.core.logs import dict_config

    config = dict_config(fmt, "INFO")
    assert config["loggers"]["uvicorn.access"]["level"] == "CRITICAL"  # requests are logged by confops
    assert config["formatters"]["confops"]["()"].endswith("JsonFormatter" if fmt == "json" else "TextFormatter")


def _value(text: str, sample: str) -> float:
    for line in text.splitlines():
        if line.startswith(sample + " "):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


async def test_metrics_count_orders_placed_and_scans_by_result(client):
    from tests.checkin.factory import make_door
    from tests.checkin.test_api import scan
    from tests.registration.factory import make_event
    from tests.registration.test_api import body

    before = (await client.get("/metrics")).text
    await make_event()
    assert (await client.post("/api/v1/events/meeting/orders", json=body())).status_code == 201
    assert (await client.post("/api/v1/events/meeting/orders", json=body())).status_code == 200  # a repeat
    door = await make_door(1, slug="door-metrics")
    badge = await door.token(door.people[0])
    await scan(client, door, badge)
    await scan(client, door, badge)
    await scan(client, door, "not a badge")
    after = (await client.get("/metrics")).text
    for sample, delta in (("confops_orders_placed_total", 1), ('confops_checkin_scans_total{result="ok"}', 1),
                          ('confops_checkin_scans_total{result="already_checked_in"}', 1),
                          ('confops_checkin_scans_total{result="invalid"}', 1)):
        assert _value(after, sample) - _value(before, sample) == delta, sample

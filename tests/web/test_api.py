"""JSON API v1 and the OpenAPI document."""

import pytest

from confops.events.tables import Session


async def test_list_events(client, demo):
    r = await client.get("/api/v1/events")
    assert r.status_code == 200
    events = r.json()["events"]
    slugs = [e["slug"] for e in events]
    assert "abs-national-meeting" in slugs and "abs-national-meeting-previous" not in slugs
    assert [e["starts_at"] for e in events] == sorted(e["starts_at"] for e in events)
    past = (await client.get("/api/v1/events", params={"when": "past"})).json()["events"]
    assert [e["slug"] for e in past] == ["abs-national-meeting-previous"]
    only = (await client.get("/api/v1/events", params={"kind": "online_series"})).json()["events"]
    assert [e["slug"] for e in only] == ["online-residents-group"]


async def test_event_detail_with_sessions_and_speakers(client, demo):
    r = await client.get("/api/v1/events/abs-national-meeting")
    assert r.status_code == 200
    body = r.json()
    assert body["timezone"] == "America/Los_Angeles" and body["organizer"] == "abs"
    assert {room["name"] for room in body["rooms"]} == {"Plenary Hall", "Cedar Room", "Spruce Room", "Group Suite"}
    w3 = next(s for s in body["sessions"] if s["code"] == "W3")
    assert {sp["name"] for sp in w3["speakers"]} == {"Nguyễn Thị Minh", "José Martínez-Ruiz"}
    assert w3["credit_quarters"] == 5 and w3["credit"] == 1.25
    assert w3["starts_at"].endswith("Z") or "+00:00" in w3["starts_at"]


async def test_errors_are_problem_json_with_fields(client, demo):
    r = await client.get("/api/v1/events/nope")
    assert r.status_code == 404 and r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["code"] == "not_found"
    r = await client.get("/api/v1/events", params={"kind": "party"})
    assert r.status_code == 400
    assert r.json()["errors"][0]["field"] == "kind"
    r = await client.get("/api/v1/nothing-here")
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = await client.post("/api/v1/events")
    assert r.status_code == 405


async def test_openapi_documents_the_api(client):
    doc = (await client.get("/schema/openapi.json")).json()
    assert {"/api/v1/events", "/api/v1/events/{slug}", "/health"} <= set(doc["paths"])
    assert not any(p.startswith("/staff") or p == "/" for p in doc["paths"]), "pages stay out of the API doc"
    page = await client.get("/schema")
    assert page.status_code == 200 and "/api/v1/events" in page.text and "<script" not in page.text


async def test_health_reports_the_database(client):
    r = await client.get("/health")
    body = r.json()
    assert r.status_code == 200 and body["status"] == "ok" and body["database"] == "ok", body
    assert body["details"]["database"] == "reachable"


async def test_once_started_the_start_up_objects_are_left_out_of_full_collections(client):
    # app._freeze_startup_objects: a full collection over them paused a worker for 95-150 ms.
    import gc

    assert (await client.get("/health")).status_code == 200
    assert gc.get_freeze_count() > 50_000, gc.get_freeze_count()


async def test_unpublished_sessions_are_left_out(client, demo):
    await Session.update({Session.published: False}).where(Session.code == "W8")
    body = (await client.get("/api/v1/events/abs-national-meeting")).json()
    assert "W8" not in {s["code"] for s in body["sessions"]}


@pytest.mark.filterwarnings("ignore:.*Unable to fetch server version")
async def test_health_says_when_the_database_is_unreachable(var_dir, smtp_server):
    from confops.app import create_app
    from settings import Settings
    from tests.support.http import running
    from tests.support.smtp import free_port

    settings = Settings(env="test", database_url=f"postgresql://postgres@127.0.0.1:{free_port()}/none",
                        secret_key="k" * 40, var_dir=var_dir, smtp_url=smtp_server.url, in_app_worker=False)
    app = create_app(settings)
    async with running(app) as client:
        r = await client.get("/health")
    body = r.json()
    assert r.status_code == 503 and body["status"] == "degraded" and body["database"] == "degraded"
    assert body["details"]["database"] == "unreachable" and r.headers["retry-after"]

"""Schema-driven fuzzing of the JSON API: schemathesis generates requests from the served
/schema/openapi.json (valid and invalid bodies, paths, queries, with and without the scanner's
bearer token) against a running server, on both engines. No answer may be a 5xx, and every
answer's status must be one the document lists. Bounded: a fixed number of cases per operation,
no shrinking, so the run takes seconds, not minutes."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import HealthCheck, Phase, given, settings

from tests.checkin.factory import make_door

schemathesis = pytest.importorskip("schemathesis")

CASES_PER_OPERATION = 30


async def test_no_input_makes_the_api_answer_5xx(live_server, demo):
    door = await make_door(2, slug="fuzz-door")
    schema = schemathesis.openapi.from_url(live_server.url + "/schema/openapi.json")
    failures: list[str] = []
    checked = 0

    def fuzz(operation, headers: dict) -> int:
        seen = {"n": 0}

        @settings(max_examples=CASES_PER_OPERATION, deadline=None, database=None, derandomize=True,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case) -> None:
            response = case.call(base_url=live_server.url, headers=headers, timeout=20)
            seen["n"] += 1
            documented = {str(code) for code in operation.definition.raw.get("responses", {})}
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {response.text[:200]}")
            elif response.status_code >= 400 and str(response.status_code) not in documented:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code} not documented")

        run()
        return seen["n"]

    def all_operations() -> int:
        total = 0
        for result in schema.get_all_operations():
            operation = result.ok()
            if not operation.path.startswith("/api/"):
                continue
            scanner = operation.path.startswith("/api/v1/checkin")
            total += fuzz(operation, {"authorization": f"Bearer {door.device_token}"} if scanner else {})
        return total

    checked = await asyncio.to_thread(all_operations)  # requests is blocking; the server is another process
    assert checked > 100
    assert not failures, "\n".join(sorted(set(failures))[:40])

"""/health for load balancers and people, /metrics for Prometheus."""

from litestar import Request, Response, get

from confops.core import health as checks
from confops.core import metrics
from confops.core.auth import PUBLIC
from confops.core.errors import NotFound
from confops.web import STATIC


@get("/health", opt={"access": PUBLIC}, include_in_schema=True, tags=["health"])
async def health(request: Request) -> Response[dict]:
    """Each part ok or degraded, with the reason; 503 (and Retry-After) only when the
    database is unreachable."""
    state = request.app.state
    if "health_kept" not in state:
        state.health_kept = {}
    report = await checks.check(state.settings, state.storage, state.health_kept)
    if report.database_down:
        return Response(report.body(), status_code=503, headers={"Retry-After": "30", "Cache-Control": "no-store"})
    return Response(report.body(), status_code=200, headers={"Cache-Control": "no-store"})


@get("/metrics", opt={"access": PUBLIC}, include_in_schema=False)
async def prometheus_metrics(request: Request) -> Response[bytes]:
    token = request.app.state.settings.metrics_token
    if token and request.headers.get("authorization", "") != f"Bearer {token}":
        raise NotFound("No such page.")
    try:
        await metrics.refresh_from_database()
    except Exception:  # noqa: BLE001 - the process's own figures still count when the database is away
        pass
    return Response(metrics.exposition(), media_type=metrics.CONTENT_TYPE, headers={"Cache-Control": "no-store"})


_FAVICON = STATIC / "favicon.ico"


@get("/favicon.ico", opt={"access": PUBLIC}, include_in_schema=False)
async def favicon() -> Response[bytes]:
    """Browsers ask for /favicon.ico on every site whatever the page links; without it every
    page logged a 404 in their console."""
    return Response(_FAVICON.read_bytes(), media_type="image/x-icon",
                    headers={"Cache-Control": "public, max-age=86400"})

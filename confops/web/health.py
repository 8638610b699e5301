"""Liveness for load balancers and people: is the database reachable from this process?"""

from litestar import Response, get

from confops.core.auth import PUBLIC
from confops.db import ping


@get("/health", opt={"access": PUBLIC}, include_in_schema=True, tags=["health"])
async def health() -> Response[dict]:
    reachable = await ping()
    body = {"status": "ok" if reachable else "degraded", "database": "reachable" if reachable else "unreachable"}
    return Response(body, status_code=200 if reachable else 503)

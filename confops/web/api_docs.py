"""What the OpenAPI document says about errors and authentication, written once for every API route.

Every 4xx is an `application/problem+json` body (web/errors.py); listing them per route lets a
client (and a schema-driven test) know which answers are normal. The scanner devices
authenticate with a bearer token (their pairing token), declared as the `scanner` scheme.
"""

from __future__ import annotations

import msgspec
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Components, SecurityScheme


class ProblemField(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct):
    """RFC 9457 problem details, with the field-level messages of a refused input."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    errors: list[ProblemField]


_MEANING = {
    400: "The body is not valid JSON or does not fit the schema (the fields are named).",
    401: "Not authenticated: a missing, unknown or revoked token.",
    403: "Authenticated, but this is outside what the token may reach.",
    404: "There is no such thing (or the token does not open it).",
    409: "Valid, but it cannot be done now; `code` says why (sold_out, registration_closed, …).",
    413: "The body is larger than this route takes.",
    422: "Some fields cannot be accepted; each is named in `errors`.",
    503: "The service cannot reach its database just now; retry after `Retry-After` seconds.",
}


def problems(*statuses: int) -> dict[int, ResponseSpec]:
    """The problem answers a route can give, for its `responses=`."""
    return {s: ResponseSpec(data_container=Problem, description=_MEANING[s], media_type="application/problem+json")
            for s in (*statuses, 503)}


SCANNER = "scanner"
COMPONENTS = Components(security_schemes={
    SCANNER: SecurityScheme(type="http", scheme="bearer", description=(
        "A paired scanner device's token (shown once when staff pair it): `Authorization: Bearer <token>`.")),
})
SCANNER_SECURITY = [{SCANNER: []}]

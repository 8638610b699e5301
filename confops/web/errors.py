"""Every error a visitor can cause becomes a clear 4xx: an HTML page or a JSON problem body.

The API (and anything asking for JSON) gets `application/problem+json` with the field names;
people get a page in the site's layout. Unexpected errors are logged and answered with a
plain 500 page that reveals nothing.
"""

from __future__ import annotations

import logging
from urllib.parse import quote

from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, NotAuthorizedException, ValidationException
from litestar.response import Redirect, Template

from confops.accounts import brands
from confops.core.errors import DomainError, NotSignedIn

log = logging.getLogger("confops.web")

PROBLEM_JSON = "application/problem+json"


def wants_json(request: Request) -> bool:
    path = request.url.path
    if path.startswith(("/api/", "/webhooks/", "/health")):
        return True
    accept = request.headers.get("accept", "")
    return "application/json" in accept and "text/html" not in accept


def _problem(status: int, title: str, detail: str, code: str, errors: list[dict]) -> Response:
    body = {"type": f"https://confops.dev/problems/{code}", "title": title, "status": status,
            "detail": detail, "code": code, "errors": errors}
    return Response(body, status_code=status, media_type=PROBLEM_JSON)


def _page(request: Request, status: int, title: str, detail: str, errors: list[dict]) -> Response:
    return Template(
        "errors/error.html",
        context={"status": status, "title": title, "detail": detail, "errors": errors,
                 "principal": getattr(request.state, "principal", None),
                 # no lookup while answering an error: the default organizer's name if this process knows it
                 "brand": brands.known(request.app.state.settings.default_organizer)},
        status_code=status,
        media_type=MediaType.HTML,
    )


def _respond(request: Request, status: int, title: str, detail: str, code: str, errors: list[dict]) -> Response:
    if wants_json(request):
        return _problem(status, title, detail, code, errors)
    return _page(request, status, title, detail, errors)


def domain_error_handler(request: Request, exc: DomainError) -> Response:
    if isinstance(exc, NotSignedIn) and not wants_json(request):
        login = "/staff/login" if exc.code == "staff_sign_in" else "/login"
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        return Redirect(f"{login}?next={quote(target)}", status_code=303)
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    return _respond(request, exc.status_code, exc.title, exc.detail, exc.code, errors)


def _validation_errors(exc: ValidationException) -> list[dict]:
    errors = []
    for item in exc.extra or []:
        if isinstance(item, dict):
            field = item.get("key") or item.get("source") or "body"
            errors.append({"field": str(field), "message": str(item.get("message", "is not valid"))})
    return errors


_TITLES = {400: "Bad request", 401: "Please sign in", 403: "Not allowed", 404: "Not found",
           405: "Method not allowed", 413: "Too large", 415: "Unsupported media type",
           422: "Some fields need attention", 429: "Too many requests"}


def http_error_handler(request: Request, exc: HTTPException) -> Response:
    status = exc.status_code
    if status >= 500:
        return internal_error_handler(request, exc)
    title = _TITLES.get(status, "Request not accepted")
    errors = _validation_errors(exc) if isinstance(exc, ValidationException) else []
    if status == 404:
        detail = "There is nothing at this address."
    elif isinstance(exc, NotAuthorizedException):
        detail = "Please sign in."
    elif errors:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
    else:
        detail = exc.detail or title
    code = {400: "bad_request", 401: "not_signed_in", 403: "forbidden", 404: "not_found",
            405: "method_not_allowed", 422: "invalid"}.get(status, f"http_{status}")
    return _respond(request, status, title, detail, code, errors)


RETRY_AFTER_SECONDS = 30


def unavailable_handler(request: Request, exc: Exception) -> Response:
    """The database (or the network to it) is down: say so with 503 and when to come back,
    so load balancers, clients and people retry instead of reporting a bug."""
    log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    response = _respond(request, 503, "Temporarily unavailable",
                        "The service cannot reach its database just now. Please try again in a minute.",
                        "unavailable", [])
    response.headers["retry-after"] = str(RETRY_AFTER_SECONDS)
    return response


def collided_handler(request: Request, exc: Exception) -> Response:
    """The database rolled this request's transaction back because another one, at the same
    moment, took the same rows in the other order (a deadlock) or in a way its isolation
    cannot serialise. Nothing of it was written; sent again, it goes through."""
    log.warning("transaction rolled back on %s %s: %s", request.method, request.url.path, exc)
    response = _respond(request, 409, "Changed at the same moment",
                        "Someone else changed this at the same moment, so nothing was saved. "
                        "Please try again.", "try_again", [])
    response.headers["retry-after"] = "1"
    return response


def out_of_range_handler(request: Request, exc: Exception) -> Response:
    """A value the database cannot hold got past the checks at the boundary (boundary.py): a
    number out of range, a character text columns refuse. The input is wrong, not the server."""
    log.warning("value refused by the database on %s %s: %s", request.method, request.url.path, exc)
    return _respond(request, 422, _TITLES[422], "A value is out of range or contains a character that "
                    "cannot be stored.", "invalid", [])


def _database_failure(request: Request, exc: Exception) -> Response:
    """sqlite3's OperationalError covers both a database that cannot be opened (unavailable)
    and a programming error (a 500)."""
    text = str(exc).lower()
    if any(s in text for s in ("unable to open", "disk i/o", "database is locked", "no such table",
                               "readonly database", "file is not a database")):
        return unavailable_handler(request, exc)
    return internal_error_handler(request, exc)


def internal_error_handler(request: Request, exc: Exception) -> Response:
    # the route template, not the path: paths carry order tokens and calendar keys
    log.error("unhandled error on %s %s", request.method, request.scope.get("path_template", "(unrouted)"),
              exc_info=exc)
    return _respond(request, 500, "Something went wrong", "The error was logged; please try again.",
                    "internal", [])


def _handlers() -> dict:
    import socket
    import sqlite3

    import asyncpg

    handlers: dict = {
        DomainError: domain_error_handler,
        HTTPException: http_error_handler,
        Exception: internal_error_handler,
        # The database is unreachable: refused, reset, timed out, restarting, or a pool whose
        # connections were closed under it.
        ConnectionError: unavailable_handler,
        TimeoutError: unavailable_handler,
        socket.gaierror: unavailable_handler,
        asyncpg.PostgresConnectionError: unavailable_handler,
        asyncpg.InterfaceError: unavailable_handler,
        asyncpg.exceptions.CannotConnectNowError: unavailable_handler,
        asyncpg.exceptions.AdminShutdownError: unavailable_handler,
        asyncpg.exceptions.TooManyConnectionsError: unavailable_handler,
        sqlite3.OperationalError: _database_failure,
        # Deadlock or serialization failure: rolled back whole, to be sent again.
        asyncpg.exceptions.TransactionRollbackError: collided_handler,
        # Values the database cannot hold.
        OverflowError: out_of_range_handler,
        asyncpg.DataError: out_of_range_handler,
        asyncpg.exceptions.NumericValueOutOfRangeError: out_of_range_handler,
        asyncpg.exceptions.CharacterNotInRepertoireError: out_of_range_handler,
        asyncpg.exceptions.UntranslatableCharacterError: out_of_range_handler,
    }
    return handlers


EXCEPTION_HANDLERS = _handlers()

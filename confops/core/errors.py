"""Typed domain errors. Services raise these; one handler turns them into 4xx answers.

Each error carries a machine-readable `code` (API clients branch on it) and, for input
problems, field-level messages so forms can show each message next to its field.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    status_code = 400
    code = "bad_request"
    title = "Bad request"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        errors: list[FieldError] | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.errors = list(errors or [])
        if field:
            self.errors.insert(0, FieldError(field, detail))
        if code:
            self.code = code

    def field_messages(self) -> dict[str, str]:
        return {e.field: e.message for e in self.errors}


class Invalid(DomainError):
    """Input that can never be accepted as sent."""

    status_code = 422
    code = "invalid"
    title = "Some fields need attention"


class NotFound(DomainError):
    status_code = 404
    code = "not_found"
    title = "Not found"


class Conflict(DomainError):
    """Valid input that cannot be carried out in the current state (sold out, already used…)."""

    status_code = 409
    code = "conflict"
    title = "Cannot be done now"


class NotSignedIn(DomainError):
    status_code = 401
    code = "not_signed_in"
    title = "Please sign in"


class NotYours(DomainError):
    """The caller is signed in but may not see or change this."""

    status_code = 403
    code = "forbidden"
    title = "Not allowed"


class InvalidCredentials(DomainError):
    status_code = 401
    code = "invalid_credentials"
    title = "Sign-in failed"


def collect(errors: list[FieldError], detail: str = "Some fields need attention") -> None:
    """Raise one Invalid with every field problem found, instead of stopping at the first."""
    if errors:
        raise Invalid(detail, errors=errors)


class Misconfigured(DomainError):
    """This server's configuration cannot serve the request (an operator must act)."""

    status_code = 503
    code = "misconfigured"
    title = "This server is not set up correctly"

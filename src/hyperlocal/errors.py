"""Errors that services raise and every edge (API, web, CLI) turns into a clear answer.

A service raises one of these *before* it writes anything, or inside a transaction that the
edge rolls back, so that bad input never leaves a half-written change behind.
"""

from __future__ import annotations


class DomainError(Exception):
    """A request that the platform refuses, with a message meant for the person who sent it."""

    status_code = 400

    def __init__(self, message: str, *, field: str | None = None, code: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        self.code = code or type(self).__name__

    def as_dict(self) -> dict[str, object]:
        body: dict[str, object] = {"detail": self.message, "code": self.code}
        if self.field:
            body["field"] = self.field
        return body


class InvalidInput(DomainError):
    """The input breaks a rule (out of range, outside any region, a duplicate SKU...)."""

    status_code = 422


class NotAllowed(DomainError):
    """The user may not do this to this object."""

    status_code = 403


class NotFound(DomainError):
    status_code = 404


class Conflict(DomainError):
    """The request clashes with the current state (e.g. an idempotency key reused)."""

    status_code = 409

"""API schemas shared by every router: the error body and helpers to document it."""

from __future__ import annotations

from typing import Any

from ninja import Schema

from hyperlocal.errors import InvalidInput


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


def with_errors(ok: dict[int, Any], *codes: int) -> dict[int, Any]:
    """A response map for an operation: its success schemas plus the error codes it can
    answer with, each documented as ErrorOut (so that clients and schemathesis know them)."""
    return {**ok, **dict.fromkeys(codes, ErrorOut)}


def request_id_from(
    in_body: str | None, header: str | None, *, field: str = "request_id", required: bool = True
) -> str:
    """A request's client-chosen id, from the body or the Idempotency-Key header (both may be
    sent only when they agree); "" when neither is sent and it is not ``required``."""
    if in_body is not None and header is not None and in_body != header:
        raise InvalidInput(
            f"{field} and the Idempotency-Key header differ; send one of them", field=field, code="invalid_id"
        )
    chosen = in_body if in_body is not None else header
    if chosen is None and required:
        raise InvalidInput(
            f"send a client-chosen {field} in the body or an Idempotency-Key header: a repeat of the "
            "request then returns the first result instead of doing it twice",
            field=field,
            code="request_id_missing",
        )
    return chosen or ""

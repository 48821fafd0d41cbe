"""API schemas shared by every router: the error body and helpers to document it."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ErrorOut(Schema):
    detail: str
    code: str
    field: str | None = None
    errors: list[dict[str, Any]] | None = None


def with_errors(ok: dict[int, Any], *codes: int) -> dict[int, Any]:
    """A response map for an operation: its success schemas plus the error codes it can
    answer with, each documented as ErrorOut (so that clients and schemathesis know them)."""
    return {**ok, **dict.fromkeys(codes, ErrorOut)}

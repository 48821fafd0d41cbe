from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest

from hyperlocal.accounts.models import User
from hyperlocal.errors import DomainError


def form_errors_text(form: forms.Form) -> str:
    """All of a form's errors on one line, each with its field's label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            parts.append(f"{label}: {error}" if label else str(error))
    return "; ".join(parts)


def user_of(request: HttpRequest) -> User:
    """The signed-in user (behind login_required: never anonymous)."""
    assert isinstance(request.user, User)
    return request.user


def refuse(request: HttpRequest, error: DomainError, prefix: str = "") -> int:
    """Tell the user why a service refused (a message on the next page rendered) and return
    the status that page should carry."""
    text = f"{prefix} {error.message}".strip() if prefix else error.message
    messages.error(request, text)
    return error.status_code


def is_htmx(request: HttpRequest) -> bool:
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not getattr(htmx, "history_restore_request", False)

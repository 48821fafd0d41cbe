from __future__ import annotations

from django import forms


def form_errors_text(form: forms.Form) -> str:
    """All of a form's errors on one line, each with its field's label."""
    parts = []
    for name, errors in form.errors.items():
        label = form.fields[name].label if name in form.fields else None
        for error in errors:
            parts.append(f"{label}: {error}" if label else str(error))
    return "; ".join(parts)

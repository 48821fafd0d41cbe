"""Small template helpers for the web shell."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import template
from django.utils.translation import gettext as _

from hyperlocal.web import labels

register = template.Library()


@register.filter
def won(amount: int | str | None) -> str:
    """An amount of won with thousands separators: 12000 -> "12,000원" (KRW has no minor unit)."""
    if amount is None or amount == "":
        return ""
    try:
        value = int(amount)
    except (TypeError, ValueError):
        return ""
    return f"{value:,}원"


@register.filter
def metres(distance_m: float | None) -> str:
    """A distance for people: "350 m" below a kilometre, "1.2 km" above."""
    if distance_m is None:
        return ""
    if distance_m < 1000:
        return f"{round(distance_m / 10) * 10:.0f} m"
    return f"{distance_m / 1000:.1f} km"


@register.filter
def get_item(mapping: Mapping[Any, Any] | None, key: Any) -> Any:
    """mapping[key] in a template, or None."""
    if not mapping:
        return None
    return mapping.get(key)


@register.filter
def minutes_text(minutes: int | None) -> str:
    """A countdown for people: "12 min", "late 3 min"."""
    if minutes is None:
        return ""
    if minutes < 0:
        return _("late %(n)s min") % {"n": -minutes}
    return _("%(n)s min") % {"n": minutes}


@register.filter
def status_label(status: str) -> str:
    """An order's or shipment's status in the page's language."""
    return labels.order_status(status)


@register.filter
def line_status_label(status: str) -> str:
    return labels.line_status(status)


@register.filter
def inbound_status_label(status: str) -> str:
    return labels.inbound_status(status)

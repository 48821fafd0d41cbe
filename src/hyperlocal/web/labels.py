"""The words the pages use for order, line and substitution states, translated here (with a
context) so that the pages read well in Korean whatever the domain's own labels say."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import pgettext_lazy

ORDER_STATUS: dict[str, Promise] = {
    "placed": pgettext_lazy("order status", "placed"),
    "picking": pgettext_lazy("order status", "picking"),
    "packed": pgettext_lazy("order status", "packed"),
    "out_for_delivery": pgettext_lazy("order status", "out for delivery"),
    "delivered": pgettext_lazy("order status", "delivered"),
    "cancelled": pgettext_lazy("order status", "cancelled"),
    "delivery_failed": pgettext_lazy("order status", "delivery failed"),
    "returned": pgettext_lazy("order status", "returned"),
    "refunded": pgettext_lazy("order status", "refunded"),
}
LINE_STATUS: dict[str, Promise] = {
    "pending": pgettext_lazy("order line", "to pick"),
    "picked": pgettext_lazy("order line", "picked"),
    "short": pgettext_lazy("order line", "short"),
    "proposed": pgettext_lazy("order line", "substitute proposed"),
    "substituted": pgettext_lazy("order line", "substituted"),
    "cancelled": pgettext_lazy("order line", "cancelled"),
}
SUBSTITUTION_CHOICES: list[tuple[str, Promise]] = [
    ("allow", pgettext_lazy("substitution", "substitute if needed")),
    ("ask", pgettext_lazy("substitution", "ask me first")),
    ("never", pgettext_lazy("substitution", "never substitute")),
]
INBOUND_STATUS: dict[str, Promise] = {
    "expected": pgettext_lazy("inbound", "expected"),
    "received": pgettext_lazy("inbound", "received"),
    "cancelled": pgettext_lazy("inbound", "cancelled"),
}


def order_status(status: str) -> str:
    label = ORDER_STATUS.get(status)
    return str(label) if label is not None else status


def line_status(status: str) -> str:
    label = LINE_STATUS.get(status)
    return str(label) if label is not None else status


def inbound_status(status: str) -> str:
    label = INBOUND_STATUS.get(status)
    return str(label) if label is not None else status

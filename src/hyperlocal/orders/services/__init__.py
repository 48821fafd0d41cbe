"""Order services: cart and holds, checkout, payments, allocation and promise, lifecycle,
picking and the read side.

Names are re-exported lazily by module path (PEP 562 `__getattr__`): importing one service
module (say, lifecycle importing payment) does not import all the others, so the modules
can use each other without import cycles. Type checkers see the real imports below.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_MODULES: dict[str, tuple[str, ...]] = {
    # checkout helper
    "checkout": (
        "DeliveryChoice",
        "LineRequest",
        "PlacedOrder",
        "PricedLine",
        "Quote",
        "delivery_fee",
        "place_order",
        "quote",
    ),
    "cart": (
        "CartLineView",
        "CartSummary",
        "cart_summary",
        "checkout_cart",
        "clear_cart",
        "get_cart",
        "refresh_holds",
        "set_cart_line",
    ),
    "holds": ("release_cart_holds", "release_expired_holds"),
    # site planning reads orders per delivery cell
    "demand": ("CellOrders", "orders_by_cell"),
    "events": ("build_event", "record_event", "record_events"),
    "idempotency": ("clean_key", "request_hash"),
    "payment": ("capture_payment", "reduce_authorisation", "refund_payment", "void_payment"),
    # allocation helper
    "candidates": ("plan_for",),
    "promise": (
        "SlotOption",
        "book_slots",
        "ensure_slots",
        "instant_eta_minutes",
        "policy_for",
        "release_slot",
        "slot_options",
    ),
    # lifecycle helper
    "lifecycle": ("ALLOWED", "cancel_order", "transition"),
    "picking": (
        "SubstituteChoices",
        "answer_substitution",
        "pack",
        "record_pick",
        "start_picking",
        "substitute_choices",
    ),
    "selectors": (
        "HubBoard",
        "PickListEntry",
        "customer_orders",
        "get_customer_order",
        "get_hub_shipment",
        "hub_board",
        "order_timeline",
        "pick_list",
    ),
}
_WHERE = {name: module for module, names in _MODULES.items() for name in names}


def __getattr__(name: str) -> Any:
    module = _WHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


if TYPE_CHECKING:
    from hyperlocal.orders.services.candidates import plan_for
    from hyperlocal.orders.services.cart import (
        CartLineView,
        CartSummary,
        cart_summary,
        checkout_cart,
        clear_cart,
        get_cart,
        refresh_holds,
        set_cart_line,
    )
    from hyperlocal.orders.services.checkout import (
        DeliveryChoice,
        LineRequest,
        PlacedOrder,
        PricedLine,
        Quote,
        delivery_fee,
        place_order,
        quote,
    )
    from hyperlocal.orders.services.demand import CellOrders, orders_by_cell
    from hyperlocal.orders.services.events import build_event, record_event, record_events
    from hyperlocal.orders.services.holds import release_cart_holds, release_expired_holds
    from hyperlocal.orders.services.idempotency import clean_key, request_hash
    from hyperlocal.orders.services.lifecycle import ALLOWED, cancel_order, transition
    from hyperlocal.orders.services.payment import (
        capture_payment,
        reduce_authorisation,
        refund_payment,
        void_payment,
    )
    from hyperlocal.orders.services.picking import (
        SubstituteChoices,
        answer_substitution,
        pack,
        record_pick,
        start_picking,
        substitute_choices,
    )
    from hyperlocal.orders.services.promise import (
        SlotOption,
        book_slots,
        ensure_slots,
        instant_eta_minutes,
        policy_for,
        release_slot,
        slot_options,
    )
    from hyperlocal.orders.services.selectors import (
        HubBoard,
        PickListEntry,
        customer_orders,
        get_customer_order,
        get_hub_shipment,
        hub_board,
        order_timeline,
        pick_list,
    )

__all__ = [
    "ALLOWED",
    "CartLineView",
    "CartSummary",
    "CellOrders",
    "DeliveryChoice",
    "HubBoard",
    "LineRequest",
    "PickListEntry",
    "PlacedOrder",
    "PricedLine",
    "Quote",
    "SlotOption",
    "SubstituteChoices",
    "answer_substitution",
    "book_slots",
    "build_event",
    "cancel_order",
    "capture_payment",
    "cart_summary",
    "checkout_cart",
    "clean_key",
    "clear_cart",
    "customer_orders",
    "delivery_fee",
    "ensure_slots",
    "get_cart",
    "get_customer_order",
    "get_hub_shipment",
    "hub_board",
    "instant_eta_minutes",
    "order_timeline",
    "orders_by_cell",
    "pack",
    "pick_list",
    "place_order",
    "plan_for",
    "policy_for",
    "quote",
    "record_event",
    "record_events",
    "record_pick",
    "reduce_authorisation",
    "refresh_holds",
    "refund_payment",
    "release_cart_holds",
    "release_expired_holds",
    "release_slot",
    "request_hash",
    "set_cart_line",
    "slot_options",
    "start_picking",
    "substitute_choices",
    "transition",
    "void_payment",
]

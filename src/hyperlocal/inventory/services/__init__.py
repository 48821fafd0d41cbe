"""Inventory services: stock counters (the checkout hot path), inbound shipments, operator
adjustments and write-offs, low stock, replenishment suggestions and the stock audit.

Edges (API, views, commands, other domains) call these and nothing below them.
"""

from hyperlocal.inventory.services.audit import (
    StockMismatch,
    products_in_stock,
    stock_mismatches,
    stock_out_of_bounds,
)
from hyperlocal.inventory.services.counters import (
    MAX_UNITS,
    StockRequest,
    add_on_hand,
    available_at,
    incoming_for,
    pick_for_order,
    release_for_order,
    release_units,
    reserve_for_order,
    reserve_units,
    return_to_stock,
    take_for_substitute,
)
from hyperlocal.inventory.services.inbound import (
    ReceivedLine,
    can_see_inbound,
    cancel_inbound,
    create_inbound,
    get_inbound,
    receive_inbound,
)
from hyperlocal.inventory.services.permissions import require_merchant_staff, require_operator
from hyperlocal.inventory.services.replenishment import (
    Suggestion,
    replenishment_suggestions,
    suggested_units,
    target_units,
)
from hyperlocal.inventory.services.stock import (
    adjust_stock,
    get_stock,
    hub_stock,
    low_stock,
    merchant_stock,
    receive_opening_stock,
    update_stock_settings,
    write_off,
)

__all__ = [
    "MAX_UNITS",
    "ReceivedLine",
    "StockMismatch",
    "StockRequest",
    "Suggestion",
    "add_on_hand",
    "adjust_stock",
    "available_at",
    "can_see_inbound",
    "cancel_inbound",
    "create_inbound",
    "get_inbound",
    "get_stock",
    "hub_stock",
    "incoming_for",
    "low_stock",
    "merchant_stock",
    "pick_for_order",
    "products_in_stock",
    "receive_inbound",
    "receive_opening_stock",
    "release_for_order",
    "release_units",
    "replenishment_suggestions",
    "require_merchant_staff",
    "require_operator",
    "reserve_for_order",
    "reserve_units",
    "return_to_stock",
    "stock_mismatches",
    "stock_out_of_bounds",
    "suggested_units",
    "take_for_substitute",
    "target_units",
    "update_stock_settings",
    "write_off",
]

"""Views of the web shell: parse the request, call one service, render or redirect."""

from hyperlocal.web.views.account import LoginView, LogoutView, signup
from hyperlocal.web.views.cart import cart, cart_line
from hyperlocal.web.views.catalog import product_detail, products
from hyperlocal.web.views.checkout import checkout
from hyperlocal.web.views.home import home, join, set_home, verify
from hyperlocal.web.views.hubs import hub_detail, hub_list
from hyperlocal.web.views.merchant import merchant_stock
from hyperlocal.web.views.ops import (
    board,
    hub_stock,
    line_pick,
    ops_home,
    pick_list,
    shipment_detail,
    shipment_move,
    shipment_pack,
    shipment_start,
)
from hyperlocal.web.views.orders import answer_substitution, order_cancel, order_detail, order_list

__all__ = [
    "LoginView",
    "LogoutView",
    "answer_substitution",
    "board",
    "cart",
    "cart_line",
    "checkout",
    "home",
    "hub_detail",
    "hub_list",
    "hub_stock",
    "join",
    "line_pick",
    "merchant_stock",
    "ops_home",
    "order_cancel",
    "order_detail",
    "order_list",
    "pick_list",
    "product_detail",
    "products",
    "set_home",
    "shipment_detail",
    "shipment_move",
    "shipment_pack",
    "shipment_start",
    "signup",
    "verify",
]

"""Views of the web shell: parse the request, call one service, render or redirect."""

from hyperlocal.web.views.account import LoginView, LogoutView, signup
from hyperlocal.web.views.catalog import product_detail, products
from hyperlocal.web.views.home import home, join, set_home, verify
from hyperlocal.web.views.hubs import hub_detail, hub_list

__all__ = [
    "LoginView",
    "LogoutView",
    "home",
    "hub_detail",
    "hub_list",
    "join",
    "product_detail",
    "products",
    "set_home",
    "signup",
    "verify",
]

"""The resident's cart: add from the product pages (htmx), change quantities and the
substitution choice per line, see the hold timer and the totals."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hyperlocal.accounts.models import User
from hyperlocal.errors import DomainError
from hyperlocal.orders import services as orders
from hyperlocal.orders.models import CartLine
from hyperlocal.web.labels import SUBSTITUTION_CHOICES
from hyperlocal.web.order_forms import CartLineForm
from hyperlocal.web.views.util import form_errors_text, is_htmx, refuse, user_of


def _int(value: str | None) -> int:
    return int(value) if value and value.isdecimal() and len(value) < 19 else 0


def in_cart(user: User | AnonymousUser, product_ids: list[int]) -> dict[int, CartLine]:
    """The user's cart lines for these products (for the add-to-cart controls)."""
    if not isinstance(user, User) or not product_ids:
        return {}
    lines = CartLine.objects.filter(cart__user_id=user.pk, product_id__in=product_ids)
    return {line.product_id: line for line in lines}


def add_control_context(request: HttpRequest, product_id: int) -> dict[str, Any]:
    """What one product's add-to-cart control shows: its line in the cart, and the count of
    lines for the navigation badge (swapped out of band)."""
    user = request.user
    line = in_cart(user, [product_id]).get(product_id)
    count = CartLine.objects.filter(cart__user_id=user.pk).count() if isinstance(user, User) else 0
    return {
        "product_id": product_id,
        "line": line,
        "cart_count": count,
        "substitutions": SUBSTITUTION_CHOICES,
        "oob": True,
    }


def _cart_context(request: HttpRequest) -> dict[str, Any]:
    with transaction.atomic():
        summary = orders.cart_summary(user_of(request))
    free_from = settings.FREE_DELIVERY_FROM_WON
    return {
        "summary": summary,
        "substitutions": SUBSTITUTION_CHOICES,
        "free_from": free_from,
        "free_more": max(0, free_from - summary.items_won),
    }


@login_required
def cart(request: HttpRequest) -> HttpResponse:
    return render(request, "web/shop/cart.html", _cart_context(request))


def _next_url(request: HttpRequest) -> str | None:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return None


@login_required
@require_POST
def cart_line(request: HttpRequest) -> HttpResponse:
    """Set a product's quantity in the cart (0 removes it) and its substitution choice.
    From htmx, answers with the small confirmation (product pages) or the cart's body (the
    cart page, `from=cart`); without JavaScript, redirects back."""
    form = CartLineForm(request.POST)
    status = 200
    if not form.is_valid():
        messages.error(
            request, _("The cart was not changed: %(errors)s") % {"errors": form_errors_text(form)}
        )
        status = 422
    else:
        data = form.cleaned_data
        try:
            with transaction.atomic():
                orders.set_cart_line(
                    user_of(request), data["product"], data["quantity"], data["substitution"]
                )
        except DomainError as exc:
            status = refuse(request, exc, _("The cart was not changed:"))
        else:
            if data["quantity"] == 0:
                messages.success(request, _("Removed from your cart."))
            else:
                messages.success(request, _("Your cart holds it for you now."))
    if is_htmx(request):
        if request.POST.get("from") == "cart":
            response = render(request, "web/shop/_cart_body.html", _cart_context(request), status=status)
        else:
            product_id = form.cleaned_data.get("product") if form.is_bound and not form.errors else None
            context = add_control_context(request, product_id or _int(request.POST.get("product")))
            context["compact"] = request.POST.get("compact") == "1"
            response = render(request, "web/shop/_add_control.html", context, status=status)
        return response
    if status != 200:
        # Without JavaScript the refusal is shown on the cart page with the right status.
        return render(request, "web/shop/cart.html", _cart_context(request), status=status)
    return redirect(_next_url(request) or "web:cart")

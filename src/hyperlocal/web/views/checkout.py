"""Checkout: the promise (an instant ETA or a slot), which hub(s) and why, and payment with the
test provider, in part with local-currency vouchers (how much they can pay, and why some lines
cannot be paid with them). Each render of the form carries a fresh idempotency key, so that a
double submit places one order."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hyperlocal.accounts.models import User
from hyperlocal.errors import DomainError, InvalidInput
from hyperlocal.orders import services as orders
from hyperlocal.orders.payments import get_provider
from hyperlocal.web.order_forms import CheckoutForm
from hyperlocal.web.views.util import form_errors_text, refuse, user_of


def _quote(user: User) -> Any:
    """The quote for what the cart holds now (the same lines checkout_cart will place)."""
    cart = orders.get_cart(user)
    lines = [
        orders.LineRequest(product_id=line.product_id, quantity=line.quantity, substitution=line.substitution)
        for line in cart.lines.order_by("added_at", "pk")
    ]
    if not lines:
        raise InvalidInput(_("Your cart is empty."), field="cart", code="cart_empty")
    return orders.quote(user, lines)


def _voucher_reasons(quote: Any) -> list[dict[str, Any]]:
    """The lines the resident's vouchers cannot pay, with why (the quote gives merchants)."""
    if quote is None or quote.vouchers is None:
        return []
    names = {line.product_id: line.name for line in quote.lines}
    return [
        {"reason": r.reason, "products": [names[p] for p in r.product_ids if p in names]}
        for r in quote.vouchers.reasons
    ]


def _page(request: HttpRequest, form: CheckoutForm | None = None, *, status: int = 200) -> HttpResponse:
    user = user_of(request)
    quote = None
    problem = ""
    try:
        with transaction.atomic():
            quote = _quote(user)
    except DomainError as exc:
        problem = exc.message
        status = status if status != 200 else exc.status_code
    fresh = CheckoutForm(initial={"idempotency_key": uuid.uuid4().hex, "delivery": "instant"})
    if quote is not None and quote.instant_eta_minutes is None:
        fresh.initial["delivery"] = "slot"
    if form is not None:
        # Keep what the resident chose (and its errors), with a new key: the failed attempt
        # changed nothing, and a retry is a new attempt.
        data = {**form.data.dict(), "idempotency_key": uuid.uuid4().hex}  # type: ignore[attr-defined]
        fresh = CheckoutForm(data)
        fresh.is_valid()
    provider = get_provider()
    context: dict[str, Any] = {
        "quote": quote,
        "problem": problem,
        "form": fresh,
        "provider": provider,
        "hold_minutes": settings.CART_HOLD_MINUTES,
        "voucher_reasons": _voucher_reasons(quote),
    }
    return render(request, "web/shop/checkout.html", context, status=status)


@login_required
def checkout(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _page(request)
    form = CheckoutForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not ordered: %(errors)s") % {"errors": form_errors_text(form)})
        return _page(request, form, status=422)
    data = form.cleaned_data
    delivery = orders.DeliveryChoice(
        kind=data["delivery"], slot_starts_at=data["slot"] if data["delivery"] == "slot" else None
    )
    try:
        with transaction.atomic():
            placed = orders.checkout_cart(
                user_of(request),
                delivery,
                idempotency_key=data["idempotency_key"],
                payment_token=data["payment_token"],
                voucher_won=data["voucher_won"],
            )
    except DomainError as exc:
        return _page(request, form, status=refuse(request, exc, _("Not ordered:")))
    if placed.created:
        messages.success(
            request, _("Thank you! Your order %(code)s is placed.") % {"code": placed.order.code}
        )
    return redirect("web:order", pk=placed.order.pk)

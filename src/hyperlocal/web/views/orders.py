"""The resident's orders: the list, and tracking one order (its shipments with their states,
times and promise, the timeline, substitution questions, cancelling while allowed). The
tracking page refreshes itself every 10 seconds with htmx."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hyperlocal.dispatch import selectors as dispatch
from hyperlocal.errors import DomainError, NotFound
from hyperlocal.orders import services as orders
from hyperlocal.orders.models import LineStatus, Order, OrderLine, OrderStatus
from hyperlocal.web.order_forms import AnswerForm, CancelForm
from hyperlocal.web.views.util import form_errors_text, is_htmx, refuse, user_of

REFRESH_SECONDS = 10
PAGE_SIZE = 20


@login_required
def order_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(orders.customer_orders(user_of(request)), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "web/shop/orders.html", {"page": page})


def _order(request: HttpRequest, pk: int) -> Order:
    try:
        return orders.get_customer_order(user_of(request), pk)
    except NotFound:
        raise Http404 from None


def _tracking_context(order: Order) -> dict[str, Any]:
    shipments = list(order.shipments.select_related("hub", "slot").order_by("promised_by", "pk"))
    lines = list(
        OrderLine.objects.filter(order=order)
        .select_related("product", "substitute")
        .order_by("shipment_id", "pk")
    )
    tracking = dispatch.tracking_for(s.pk for s in shipments)
    payments = list(order.payments.order_by("pk"))
    for shipment in shipments:
        shipment.line_list = [line for line in lines if line.shipment_id == shipment.pk]  # type: ignore[attr-defined]
        shipment.tracking = tracking.get(shipment.pk)  # type: ignore[attr-defined]
    return {
        "order": order,
        "shipments": shipments,
        "questions": [line for line in lines if line.status == LineStatus.PROPOSED],
        "timeline": orders.order_timeline(order),
        "can_cancel": bool(shipments) and all(s.status == OrderStatus.PLACED for s in shipments),
        "refresh_seconds": REFRESH_SECONDS,
        "payment": payments[0] if payments else None,
        "payments": payments,  # one per tender: the card, local-currency vouchers
    }


@login_required
def order_detail(request: HttpRequest, pk: int, *, status: int = 200) -> HttpResponse:
    order = _order(request, pk)
    context = _tracking_context(order)
    if is_htmx(request) and request.GET.get("part") == "tracking":
        return render(request, "web/shop/_tracking.html", context, status=status)
    return render(request, "web/shop/order.html", context, status=status)


@login_required
@require_POST
def order_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    order = _order(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return order_detail(request, pk, status=422)
    try:
        with transaction.atomic():
            orders.cancel_order(
                user_of(request), order, reason=form.cleaned_data["reason"] or _("cancelled by the customer")
            )
    except DomainError as exc:
        return order_detail(request, pk, status=refuse(request, exc, _("Not cancelled:")))
    messages.success(request, _("Your order is cancelled; the payment hold is released."))
    return redirect("web:order", pk=order.pk)


@login_required
@require_POST
def answer_substitution(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    order = _order(request, pk)
    line = OrderLine.objects.filter(order=order, pk=line_id).first()
    if line is None:
        raise Http404
    form = AnswerForm(request.POST)
    if not form.is_valid():
        messages.error(request, form_errors_text(form))
        return order_detail(request, pk, status=422)
    accept = form.cleaned_data["accept"]
    try:
        with transaction.atomic():
            orders.answer_substitution(user_of(request), line, accept=accept)
    except DomainError as exc:
        return order_detail(request, pk, status=refuse(request, exc, _("Not answered:")))
    messages.success(
        request, _("Thanks: substitute accepted.") if accept else _("Thanks: substitute declined.")
    )
    return redirect("web:order", pk=order.pk)

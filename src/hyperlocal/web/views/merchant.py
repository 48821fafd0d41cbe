"""The merchant's stock page: its products in every hub (on hand, reserved, available, low
stock), and its inbound shipments (announce one, see whether the hub received it)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hyperlocal.catalog import services as catalog
from hyperlocal.catalog.models import Merchant
from hyperlocal.errors import DomainError
from hyperlocal.hubs import services as hubs
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory import services as inventory
from hyperlocal.inventory.models import InboundShipment
from hyperlocal.web.order_forms import InboundForm
from hyperlocal.web.views.util import form_errors_text, refuse, user_of

RECENT_INBOUND = 30


def _merchant(request: HttpRequest) -> Merchant:
    """The merchant whose staff the user is (?merchant=slug when there are several)."""
    mine = list(catalog.staff_merchants(user_of(request)).order_by("name"))
    if not mine:
        raise PermissionDenied(_("Only a merchant's staff see its stock."))
    wanted = request.GET.get("merchant") or request.POST.get("merchant")
    return next((m for m in mine if m.slug == wanted), mine[0])


def _form(merchant: Merchant, data: Any = None) -> InboundForm:
    open_hubs = hubs.list_hubs(status=Hub.Status.OPEN).order_by("name")
    products = merchant.products.filter(is_active=True).order_by("name_ko")
    initial = {
        "expected_at": timezone.localtime().replace(second=0, microsecond=0).strftime("%Y-%m-%dT%H:%M")
    }
    return InboundForm(
        data,
        initial=initial,
        hubs=[(hub.pk, hub.name) for hub in open_hubs],
        products=[(p.pk, f"{p.name_ko} ({p.sku})") for p in products],
    )


def _page(request: HttpRequest, merchant: Merchant, form: InboundForm, *, status: int = 200) -> HttpResponse:
    rows = inventory.merchant_stock(merchant)
    low = {row.pk for row in rows if row.available <= row.low_stock_at}
    for row in rows:
        row.is_low = row.pk in low  # type: ignore[attr-defined]
    hub_names = sorted({row.hub.name for row in rows})
    inbound = (
        InboundShipment.objects.filter(merchant=merchant)
        .select_related("hub")
        .prefetch_related("lines__product")
        .order_by("-created_at", "-pk")[:RECENT_INBOUND]
    )
    context = {
        "merchant": merchant,
        "merchants": list(catalog.staff_merchants(user_of(request)).order_by("name")),
        "rows": rows,
        "hub_names": hub_names,
        "low_count": len(low),
        "inbound": inbound,
        "form": form,
    }
    return render(request, "web/merchant/stock.html", context, status=status)


@login_required
def merchant_stock(request: HttpRequest) -> HttpResponse:
    merchant = _merchant(request)
    if request.method != "POST":
        return _page(request, merchant, _form(merchant))
    form = _form(merchant, request.POST)
    if not form.is_valid():
        messages.error(request, _("Not sent: %(errors)s") % {"errors": form_errors_text(form)})
        return _page(request, merchant, form, status=422)
    data = form.cleaned_data
    expected: datetime = data["expected_at"]
    try:
        with transaction.atomic():
            hub = hubs.list_hubs().get(pk=data["hub"])
            shipment = inventory.create_inbound(
                user_of(request),
                merchant=merchant,
                hub=hub,
                expected_at=expected,
                lines=data["lines"],
                note=data["note"],
            )
    except DomainError as exc:
        return _page(request, merchant, form, status=refuse(request, exc, _("Not sent:")))
    messages.success(
        request, _("Inbound shipment #%(id)s to %(hub)s announced.") % {"id": shipment.pk, "hub": hub.name}
    )
    return redirect(f"{request.path}?merchant={merchant.slug}")

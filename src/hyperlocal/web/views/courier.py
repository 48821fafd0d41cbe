"""The courier's screen (mobile-first): clock in and out, the trip carried with its stops in
order, the next stop with its address and a map, "picked up" at the hub, "delivered" with
the customer's proof code (or a photo), "failed" with a reason."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hyperlocal.dispatch import selectors
from hyperlocal.dispatch.errors import NotACourier
from hyperlocal.dispatch.models import Courier
from hyperlocal.dispatch.services import delivery, shifts
from hyperlocal.dispatch.services.couriers import courier_of
from hyperlocal.errors import DomainError
from hyperlocal.orders.models import Shipment
from hyperlocal.web import maps
from hyperlocal.web.views.util import refuse, user_of

REFRESH_SECONDS = 20


def _courier(request: HttpRequest) -> Courier:
    try:
        return courier_of(user_of(request))
    except NotACourier as exc:
        raise PermissionDenied(_("This page is for couriers.")) from exc


def _map(courier: Courier, route: selectors.Route) -> dict[str, Any] | None:
    stop = route.next_stop
    if stop is None:
        return None
    hub = courier.home_hub
    payload = maps.base_payload(hub.region.district)
    payload["hubs"] = [
        {
            "name": hub.name,
            "url": reverse("web:hub", args=[hub.slug]),
            "lat": hub.lat,
            "lng": hub.lng,
            "distance_m": None,
            "area": None,
        }
    ]
    payload["home"] = {"lat": stop.lat, "lng": stop.lng}
    payload["labels"]["home"] = _("Next stop")
    return payload


@login_required
def route(request: HttpRequest, *, status: int = 200) -> HttpResponse:
    courier = _courier(request)
    current = selectors.courier_route(courier)
    context = {
        "courier": courier,
        "route": current,
        "next_stop": current.next_stop,
        "map": _map(courier, current),
        "refresh_seconds": REFRESH_SECONDS,
    }
    return render(request, "web/courier/route.html", context, status=status)


def _act(
    request: HttpRequest, done: str, action: Callable[[], object], prefix: str, *, atomic: bool = True
) -> HttpResponse:
    """Run the action (in a transaction unless it runs its own) and come back to the route."""
    try:
        if atomic:
            with transaction.atomic():
                action()
        else:
            action()
    except DomainError as exc:
        return route(request, status=refuse(request, exc, prefix))
    messages.success(request, done)
    return redirect("web:courier")


def _shipment(pk: int) -> Shipment:
    shipment = Shipment.objects.filter(pk=pk).first()
    if shipment is None:
        raise Http404
    return shipment


@login_required
@require_POST
def clock(request: HttpRequest) -> HttpResponse:
    courier = _courier(request)
    if request.POST.get("action") == "out":
        return _act(request, _("Clocked out."), lambda: shifts.clock_out(courier), _("Not clocked out:"))
    return _act(
        request,
        _("Clocked in. Rides come in with the next round."),
        lambda: shifts.clock_in(courier),
        _("Not clocked in:"),
    )


@login_required
@require_POST
def pick_up(request: HttpRequest, pk: int) -> HttpResponse:
    _courier(request)
    user = user_of(request)
    shipment = _shipment(pk)
    return _act(
        request, _("Picked up: on your way."), lambda: delivery.pick_up(user, shipment), _("Not picked up:")
    )


@login_required
@require_POST
def deliver(request: HttpRequest, pk: int) -> HttpResponse:
    _courier(request)
    user = user_of(request)
    shipment = _shipment(pk)
    code = request.POST.get("proof_code", "")
    photo = request.FILES.get("photo")
    return _act(
        request,
        _("Delivered."),
        lambda: delivery.deliver(user, shipment, proof_code=code or None, photo=photo),
        _("Not delivered:"),
        atomic=False,  # deliver runs its own; a wrong code's try must stay counted
    )


@login_required
@require_POST
def fail(request: HttpRequest, pk: int) -> HttpResponse:
    _courier(request)
    user = user_of(request)
    shipment = _shipment(pk)
    reason = request.POST.get("reason", "")
    return _act(
        request,
        _("Reported as failed; bring the shipment back to the hub."),
        lambda: delivery.fail_delivery(user, shipment, reason=reason),
        _("Not reported:"),
    )

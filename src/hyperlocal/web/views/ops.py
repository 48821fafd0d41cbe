"""The hub operator's screens: the live order board (refreshed every 5 seconds), the hub's
pick list in walking order, and one shipment's picking screen with big touch targets:
picked / short / substitute per line, start picking, pack, and the hand-over buttons
(out for delivery, delivered, failed) until dispatch takes those over."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hyperlocal.dispatch import selectors as dispatch
from hyperlocal.errors import DomainError, NotAllowed, NotFound
from hyperlocal.hubs import services as hubs
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory import services as inventory
from hyperlocal.orders import services as orders
from hyperlocal.orders.models import LineStatus, OrderLine, OrderStatus, Shipment
from hyperlocal.web import labels
from hyperlocal.web.order_forms import PickForm, TransitionForm
from hyperlocal.web.views.util import form_errors_text, is_htmx, refuse, user_of

BOARD_REFRESH_SECONDS = 5
# The board's four working columns; failed deliveries show under "out for delivery".
BOARD_COLUMNS = (OrderStatus.PLACED, OrderStatus.PICKING, OrderStatus.PACKED, OrderStatus.OUT_FOR_DELIVERY)
# Shown after "out for delivery": failed ones need attention, then the recent deliveries.
EXTRA_COLUMNS = (OrderStatus.DELIVERY_FAILED, OrderStatus.DELIVERED)
NEXT_MOVES: dict[str, list[str]] = {
    OrderStatus.PACKED: [OrderStatus.OUT_FOR_DELIVERY],
    OrderStatus.OUT_FOR_DELIVERY: [OrderStatus.DELIVERED, OrderStatus.DELIVERY_FAILED],
    OrderStatus.DELIVERY_FAILED: [OrderStatus.OUT_FOR_DELIVERY, OrderStatus.RETURNED],
}


def _operated(request: HttpRequest) -> list[Hub]:
    user = user_of(request)
    every = list(hubs.list_hubs().order_by("name"))
    if hubs.is_platform_admin(user):
        return every
    mine = set(user.operated_hubs.values_list("pk", flat=True))
    return [hub for hub in every if hub.pk in mine]


def _hub(request: HttpRequest, slug: str) -> Hub:
    try:
        hub = hubs.get_hub(slug)
    except NotFound:
        raise Http404 from None
    if not hubs.can_operate(user_of(request), hub):
        raise PermissionDenied(_("Only the operators of %(hub)s see its orders.") % {"hub": hub.name})
    return hub


@login_required
def ops_home(request: HttpRequest) -> HttpResponse:
    mine = _operated(request)
    if not mine:
        raise PermissionDenied(_("You do not operate a hub."))
    if len(mine) == 1:
        return redirect("web:board", slug=mine[0].slug)
    return render(request, "web/ops/home.html", {"hubs": mine})


@login_required
def board(request: HttpRequest, slug: str) -> HttpResponse:
    hub = _hub(request, slug)
    board = orders.hub_board(hub)
    context = {
        "hub": hub,
        "board": board,
        "columns": [board.column(status) for status in BOARD_COLUMNS],
        "extra": [board.column(status) for status in EXTRA_COLUMNS],
        "refresh_seconds": BOARD_REFRESH_SECONDS,
        "flags": dispatch.hub_flags(hub),
    }
    if is_htmx(request) and request.GET.get("part") == "board":
        return render(request, "web/ops/_board.html", context)
    return render(request, "web/ops/board.html", context)


@login_required
def pick_list(request: HttpRequest, slug: str) -> HttpResponse:
    hub = _hub(request, slug)
    return render(request, "web/ops/pick_list.html", {"hub": hub, "entries": orders.pick_list(hub)})


def _shipment(request: HttpRequest, pk: int) -> Shipment:
    try:
        return orders.get_hub_shipment(user_of(request), pk)
    except NotFound:
        raise Http404 from None
    except NotAllowed as exc:
        raise PermissionDenied(exc.message) from None


@login_required
def shipment_detail(request: HttpRequest, pk: int, *, status: int = 200) -> HttpResponse:
    shipment = _shipment(request, pk)
    hub = shipment.hub
    walking = [entry for entry in orders.pick_list(hub) if entry.shipment.pk == shipment.pk]
    order_of_line = {entry.line.pk: n for n, entry in enumerate(walking)}
    lines = sorted(
        shipment.lines.select_related("product", "substitute").all(),
        key=lambda line: (order_of_line.get(line.pk, len(order_of_line)), line.pk),
    )
    places = {entry.line.pk: entry for entry in walking}
    for line in lines:
        line.place = places.get(line.pk)  # type: ignore[attr-defined]
    to_pick = [line for line in lines if line.status == LineStatus.PENDING]
    context = {
        "shipment": shipment,
        "hub": hub,
        "lines": lines,
        "to_pick": len(to_pick),
        "substitutes": orders.substitute_choices(shipment, to_pick),
        "moves": NEXT_MOVES.get(shipment.status, []),
        "can_cancel": shipment.status in (OrderStatus.PLACED, OrderStatus.PICKING, OrderStatus.PACKED),
        "statuses": OrderStatus,
    }
    return render(request, "web/ops/shipment.html", context, status=status)


def _act(request: HttpRequest, pk: int, done: str, action: Any) -> HttpResponse:
    """Run one service call on the shipment; on refusal show the screen with the reason."""
    shipment = _shipment(request, pk)
    try:
        with transaction.atomic():
            action(shipment)
    except DomainError as exc:
        return shipment_detail(request, pk, status=refuse(request, exc, _("Not done:")))
    messages.success(request, done)
    return redirect("web:shipment", pk=pk)


@login_required
@require_POST
def shipment_start(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _act(request, pk, _("Picking started."), lambda s: orders.start_picking(user, s))


@login_required
@require_POST
def shipment_pack(request: HttpRequest, pk: int) -> HttpResponse:
    user = user_of(request)
    return _act(request, pk, _("Packed: ready for the courier."), lambda s: orders.pack(user, s))


@login_required
@require_POST
def shipment_move(request: HttpRequest, pk: int) -> HttpResponse:
    form = TransitionForm(request.POST)
    if not form.is_valid():
        _shipment(request, pk)  # permission first: a stranger learns nothing from the form errors
        messages.error(request, form_errors_text(form))
        return shipment_detail(request, pk, status=422)
    user, to_status, note = user_of(request), form.cleaned_data["to_status"], form.cleaned_data["note"]
    label = labels.order_status(to_status)
    return _act(
        request,
        pk,
        _("Now %(status)s.") % {"status": label},
        lambda s: orders.transition(user, s, to_status, note=note),
    )


@login_required
@require_POST
def line_pick(request: HttpRequest, pk: int, line_id: int) -> HttpResponse:
    shipment = _shipment(request, pk)
    line = OrderLine.objects.filter(shipment=shipment, pk=line_id).first()
    if line is None:
        raise Http404
    form = PickForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Not recorded: %(errors)s") % {"errors": form_errors_text(form)})
        return shipment_detail(request, pk, status=422)
    data = form.cleaned_data
    substitute = data.get("substitute")
    try:
        with transaction.atomic():
            orders.record_pick(
                user_of(request),
                line,
                picked=data["picked"],
                substitute_id=substitute,
                substitute_quantity=data.get("substitute_quantity") or 0,
            )
    except DomainError as exc:
        return shipment_detail(request, pk, status=refuse(request, exc, _("Not recorded:")))
    messages.success(request, _("%(product)s recorded.") % {"product": line.product.name_ko})
    return redirect("web:shipment", pk=pk)


@login_required
def hub_stock(request: HttpRequest, slug: str) -> HttpResponse:
    """Low stock first, then what to reorder: the recent sales rate against the target days
    of cover, net of what is on its way."""
    hub = _hub(request, slug)
    suggestions = [s for s in inventory.replenishment_suggestions(hub) if s.suggested > 0]
    context = {
        "hub": hub,
        "low": inventory.low_stock(hub),
        "suggestions": sorted(suggestions, key=lambda s: (-s.suggested, s.product_name)),
        "days": suggestions[0].days if suggestions else 14,
    }
    return render(request, "web/ops/stock.html", context)

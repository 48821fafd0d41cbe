"""Inventory API (/api/inventory): a hub's stock for its operators (adjust, write off,
locate, low stock, replenishment), a merchant's stock per hub for its staff, and inbound
shipments (merchant staff announce them, hub operators receive them once)."""

from __future__ import annotations

from typing import Annotated

from django.db import transaction
from django.http import HttpRequest
from ninja import P, Path, QueryEx, Router, Status

from hyperlocal.accounts.auth import api_auth
from hyperlocal.accounts.auth import signed_in_user as _user
from hyperlocal.catalog.services import get_merchant
from hyperlocal.hubs.services import get_hub
from hyperlocal.inventory import services
from hyperlocal.inventory.schemas import (
    DAYS_MAX,
    AdjustIn,
    InboundIn,
    InboundOut,
    LocationPatch,
    ReceiveIn,
    StockOut,
    SuggestionOut,
    WriteOffIn,
    inbound_out,
    stock_out,
    suggestion_out,
)
from hyperlocal.schemas import with_errors

router = Router(tags=["inventory"])

BIGINT_MAX = 2**63 - 1
ProductId = Annotated[int, Path(ge=1, le=BIGINT_MAX)]
InboundId = Annotated[int, Path(ge=1, le=BIGINT_MAX)]


@router.get(
    "/hubs/{slug}/stock",
    auth=api_auth,
    response=with_errors({200: list[StockOut]}, 401, 403, 404, 422),
    summary="A hub's stock in pick order (its operators)",
)
def hub_stock(
    request: HttpRequest,
    slug: str,
    q: QueryEx[str | None, P(max_length=200, description="words in the product's name or SKU")] = None,
) -> list[StockOut]:
    hub = get_hub(slug)
    services.require_operator(_user(request), hub)
    return [stock_out(s) for s in services.hub_stock(hub, query=q)]


@router.get(
    "/hubs/{slug}/low-stock",
    auth=api_auth,
    response=with_errors({200: list[StockOut]}, 401, 403, 404),
    summary="Products at or below their low-stock level (its operators)",
)
def low_stock(request: HttpRequest, slug: str) -> list[StockOut]:
    hub = get_hub(slug)
    services.require_operator(_user(request), hub)
    return [stock_out(s) for s in services.low_stock(hub)]


@router.get(
    "/hubs/{slug}/replenishment",
    auth=api_auth,
    response=with_errors({200: list[SuggestionOut]}, 401, 403, 404, 422),
    summary="What to order, from the recent sales rate and the target days of cover (its operators)",
)
def replenishment(
    request: HttpRequest,
    slug: str,
    days: QueryEx[int, P(ge=1, le=DAYS_MAX, description="the sales window in days")] = 14,
) -> list[SuggestionOut]:
    hub = get_hub(slug)
    services.require_operator(_user(request), hub)
    return [suggestion_out(s) for s in services.replenishment_suggestions(hub, days=days)]


@router.post(
    "/hubs/{slug}/stock/{product_id}/adjust",
    auth=api_auth,
    response=with_errors({200: StockOut}, 401, 403, 404, 422),
    summary="Correct on hand after a count, with a reason (its operators)",
    description="Never below what is reserved (422, field delta).",
)
def adjust(request: HttpRequest, slug: str, product_id: ProductId, payload: AdjustIn) -> StockOut:
    user = _user(request)
    with transaction.atomic():
        stock = services.adjust_stock(user, get_hub(slug), product_id, payload.delta, reason=payload.reason)
    return stock_out(stock)


@router.post(
    "/hubs/{slug}/stock/{product_id}/write-off",
    auth=api_auth,
    response=with_errors({200: StockOut}, 401, 403, 404, 422),
    summary="Write off units (expired, broken), with a reason (its operators)",
    description="Only available units (on hand - reserved) can be written off (422, field quantity).",
)
def write_off(request: HttpRequest, slug: str, product_id: ProductId, payload: WriteOffIn) -> StockOut:
    user = _user(request)
    with transaction.atomic():
        stock = services.write_off(user, get_hub(slug), product_id, payload.quantity, reason=payload.reason)
    return stock_out(stock)


@router.patch(
    "/hubs/{slug}/stock/{product_id}/location",
    auth=api_auth,
    response=with_errors({200: StockOut}, 401, 403, 404, 422),
    summary="Zone, bin, low-stock level and target days of cover (its operators)",
)
def locate(request: HttpRequest, slug: str, product_id: ProductId, payload: LocationPatch) -> StockOut:
    user = _user(request)
    changes = payload.dict(exclude_unset=True)
    if "bin" in changes and changes["bin"] is None:
        changes["bin"] = ""
    for name in ("low_stock_at", "target_days_of_cover"):
        if name in changes and changes[name] is None:
            del changes[name]  # null for a number: leave it as it is
    with transaction.atomic():
        stock = services.update_stock_settings(user, get_hub(slug), product_id, **changes)
    return stock_out(stock)


@router.get(
    "/merchants/{slug}/stock",
    auth=api_auth,
    response=with_errors({200: list[StockOut]}, 401, 403, 404),
    summary="The merchant's products in every hub (its staff)",
)
def merchant_stock(request: HttpRequest, slug: str) -> list[StockOut]:
    merchant = get_merchant(slug)
    services.require_merchant_staff(_user(request), merchant)
    return [stock_out(s) for s in services.merchant_stock(merchant)]


@router.post(
    "/inbound",
    auth=api_auth,
    response=with_errors({201: InboundOut}, 401, 403, 404, 422),
    summary="Announce stock on its way to a hub (the merchant's staff)",
)
def create_inbound(request: HttpRequest, payload: InboundIn) -> Status[InboundOut]:
    user = _user(request)
    merchant, hub = get_merchant(payload.merchant), get_hub(payload.hub)
    with transaction.atomic():
        shipment = services.create_inbound(
            user,
            merchant=merchant,
            hub=hub,
            expected_at=payload.expected_at,
            lines=[(line.product_id, line.quantity) for line in payload.lines],
            note=payload.note,
        )
    return Status(201, inbound_out(shipment))


@router.get(
    "/inbound/{inbound_id}",
    auth=api_auth,
    response=with_errors({200: InboundOut}, 401, 403, 404, 422),
    summary="One inbound shipment (the sender's staff, the hub's operators)",
)
def get_inbound(request: HttpRequest, inbound_id: InboundId) -> InboundOut:
    return inbound_out(services.get_inbound(_user(request), inbound_id))


@router.post(
    "/inbound/{inbound_id}/receive",
    auth=api_auth,
    response=with_errors({200: InboundOut}, 401, 403, 404, 409, 422),
    summary="Receive a shipment at the hub, once (its operators)",
    description="Without lines everything sent arrived in good order. With them, list every line. "
    "A shipment no longer expected (received, cancelled) answers 409.",
)
def receive_inbound(request: HttpRequest, inbound_id: InboundId, payload: ReceiveIn) -> InboundOut:
    user = _user(request)
    with transaction.atomic():
        shipment = services.get_inbound(user, inbound_id)
        lines = (
            None
            if payload.lines is None
            else [services.ReceivedLine(x.product_id, x.received, x.damaged) for x in payload.lines]
        )
        shipment = services.receive_inbound(user, shipment, lines=lines)
    return inbound_out(shipment)


@router.post(
    "/inbound/{inbound_id}/cancel",
    auth=api_auth,
    response=with_errors({200: InboundOut}, 401, 403, 404, 409, 422),
    summary="Cancel an expected shipment (the sender's staff, the hub's operators)",
)
def cancel_inbound(request: HttpRequest, inbound_id: InboundId) -> InboundOut:
    user = _user(request)
    with transaction.atomic():
        shipment = services.cancel_inbound(user, services.get_inbound(user, inbound_id))
    return inbound_out(shipment)

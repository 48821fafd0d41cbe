"""The demo city's trade: stock in the hubs (placed in bins, not every product everywhere, a
few rows low), two weeks of delivered orders that agree with the stock movements, each hub's
policy and slots, and an operator whose board gets the demo resident's orders."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

from django.db.models import Count, F
from django.utils import timezone

from hyperlocal.accounts.roles import Role
from hyperlocal.catalog.models import Product
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.hubs.services import hubs_serving
from hyperlocal.inventory.models import MovementKind, Stock, StockMovement
from hyperlocal.inventory.services import replenishment_suggestions, stock_mismatches
from hyperlocal.orders.models import DeliverySlot, FulfilmentPolicy, Order, OrderStatus
from hyperlocal.orders.services import plan_for
from hyperlocal.simulation.demo import DEMO_HOME, BuildOutcome
from hyperlocal.simulation.demo.history import DAYS
from hyperlocal.simulation.demo.hubs import distance_to_demo_home
from hyperlocal.simulation.demo.people import login_for


def test_every_product_is_somewhere_but_not_everything_is_everywhere(city: BuildOutcome) -> None:
    products = Product.objects.count()
    per_hub = dict(Stock.objects.values_list("hub_id").annotate(n=Count("pk")))
    assert len(per_hub) == Hub.objects.count() == 4
    assert all(products * 0.6 < n < products for n in per_hub.values())
    assert Stock.objects.values("product_id").distinct().count() == products
    low = Stock.objects.filter(on_hand__lte=F("low_stock_at")).count()
    assert 0 < low < Stock.objects.count() * 0.2


def test_every_stock_row_has_a_bin_in_its_hubs_warehouse(city: BuildOutcome) -> None:
    rows = Stock.objects.select_related("zone")
    for row in rows:
        assert row.zone is not None
        assert (row.zone.kind, row.zone.hub_id) == (Zone.Kind.WAREHOUSE, row.hub_id)
    assert all(len(row.bin) == 6 and row.bin[1] == "-" for row in rows)  # "C-02-3"


def test_counters_agree_with_movements_and_past_orders(city: BuildOutcome) -> None:
    assert stock_mismatches() == []
    orders = Order.objects.all()
    assert 200 <= orders.count() <= 600
    assert set(orders.values_list("status", flat=True)) == {OrderStatus.DELIVERED}
    since = timezone.now() - timedelta(days=DAYS + 1)
    assert not orders.filter(placed_at__lt=since).exists()
    assert not orders.filter(placed_at__gt=timezone.now()).exists()
    picked = -sum(
        StockMovement.objects.filter(kind=MovementKind.PICK).values_list("on_hand_delta", flat=True)
    )
    assert picked == sum(
        line.quantity for order in orders.prefetch_related("lines") for line in order.lines.all()
    )
    # Sales rates make replenishment suggestions.
    assert any(replenishment_suggestions(hub) for hub in Hub.objects.all())


def test_policies_and_three_days_of_slots(city: BuildOutcome) -> None:
    assert FulfilmentPolicy.objects.count() == 4
    today = timezone.localdate()
    days = {timezone.localtime(s).date() for s in DeliverySlot.objects.values_list("starts_at", flat=True)}
    # Today's slots may be over already when the demo is built late in the evening.
    assert (
        {today + timedelta(days=1), today + timedelta(days=2)}
        <= days
        <= {today + timedelta(days=d) for d in range(3)}
    )
    assert Counter(DeliverySlot.objects.values_list("hub_id", flat=True)).keys() == set(
        Hub.objects.values_list("pk", flat=True)
    )


def test_the_demo_operator_runs_the_hub_nearest_the_demo_resident(city: BuildOutcome) -> None:
    nearest = min(Hub.objects.all(), key=distance_to_demo_home)
    operator = login_for(Role.HUB_OPERATOR).username
    assert nearest.operators.filter(username=operator).exists()
    assert nearest in hubs_serving(DEMO_HOME)
    # It carries every regional specialty, so the tour's tangerines are there.
    specialties = set(Product.objects.filter(origin__isnull=False).values_list("pk", flat=True))
    assert specialties <= set(Stock.objects.filter(hub=nearest).values_list("product_id", flat=True))
    assert plan_for(nearest.cell, {next(iter(specialties)): 1}).verdicts

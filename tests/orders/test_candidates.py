"""Candidates from the database and the plan for a delivery cell (hubs with real service
areas from the deterministic circuity model)."""

from __future__ import annotations

import itertools
import math
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Product
from hyperlocal.errors import InvalidInput
from hyperlocal.geo import Point, cell_of
from hyperlocal.hubs.models import Hub, OpeningHours, ServiceAreaCell
from hyperlocal.hubs.services import refresh_service_area
from hyperlocal.inventory.models import InboundLine, InboundShipment
from hyperlocal.orders.allocation import MostStock
from hyperlocal.orders.errors import OutsideServiceArea
from hyperlocal.orders.models import DeliverySlot, FulfilmentPolicy, Order, PromiseKind, Shipment
from hyperlocal.orders.services.candidates import candidates_for, cost_to_serve_won, plan_for
from hyperlocal.orders.services.placement_sql import queue_cap_sql
from hyperlocal.orders.services.promise import instant_eta_minutes
from hyperlocal.regions.models import Region
from tests.factories import HONGDAE, MAPO_OFFICE, HubFactory, ProductFactory, StockFactory, UserFactory

SEOUL = ZoneInfo("Asia/Seoul")
NOW = datetime(2030, 6, 12, 14, 0, tzinfo=SEOUL)  # a Wednesday afternoon
# Between Mapo-gu Office and Hongik University station: both hubs ride there.
HOME = Point(37.5617, 126.9132)
CELL = cell_of(HOME, settings.SERVICE_AREA_RESOLUTION)
GANGNAM_CELL = cell_of(Point(37.4979, 127.0276), settings.SERVICE_AREA_RESOLUTION)


def make_hub(name: str, at: Point) -> Hub:
    hub = HubFactory(name=name, lat=at.lat, lng=at.lng, promise_minutes=30, prep_minutes=10)
    refresh_service_area(hub)
    return hub


def ride(hub: Hub) -> float:
    return ServiceAreaCell.objects.get(hub=hub, cell=CELL).travel_minutes


@pytest.fixture
def office(mapo: Region) -> Hub:
    return make_hub("Mapo Office Hub", MAPO_OFFICE)


@pytest.fixture
def hongdae(mapo: Region) -> Hub:
    return make_hub("Hongdae Hub", HONGDAE)


@pytest.fixture
def tangerine(mapo: Region) -> Product:
    return ProductFactory(name_ko="제주 감귤 1kg")


@pytest.fixture
def rice(mapo: Region) -> Product:
    return ProductFactory(name_ko="이천 쌀 4kg")


_QUEUE_CODES = itertools.count(1)


def queue(hub: Hub, count: int, *, kind: str = PromiseKind.INSTANT, status: str = "placed") -> None:
    """`count` shipments waiting at the hub, written as rows."""
    customer: User = UserFactory()
    for _ in range(count):
        order = Order.objects.create(
            code=f"Q{next(_QUEUE_CODES):08d}",  # orders.code is at most 16 characters
            customer=customer,
            region=hub.region,
            delivery_lat=HOME.lat,
            delivery_lng=HOME.lng,
            delivery_cell=CELL,
            items_won=1000,
            total_won=1000,
        )
        start = NOW if kind == PromiseKind.INSTANT else NOW + timedelta(days=1)
        Shipment.objects.create(
            order=order,
            hub=hub,
            status=status,
            promise_kind=kind,
            slot=None if kind == PromiseKind.INSTANT else _slot(hub, start),
            promised_from=start,
            promised_by=start + timedelta(minutes=30),
        )


def _slot(hub: Hub, start: datetime) -> DeliverySlot:
    slot, _ = DeliverySlot.objects.get_or_create(
        hub=hub, starts_at=start, defaults={"ends_at": start + timedelta(hours=1), "capacity": 99}
    )
    return slot


def test_one_hub_with_everything_wins_with_its_eta_and_reasons(
    office: Hub, hongdae: Hub, tangerine: Product, rice: Product
) -> None:
    StockFactory(hub=office, product=tangerine, on_hand=5, reserved=1)
    StockFactory(hub=office, product=rice, on_hand=3)
    StockFactory(hub=hongdae, product=tangerine, on_hand=9)
    queue(office, 3)
    queue(office, 1, status="packed")  # out of the picking queue
    queue(office, 2, kind=PromiseKind.SLOT)  # tomorrow: not in today's queue

    with translation.override("en"):  # the explanation in the active language
        plan = plan_for(CELL, {tangerine.pk: 4, rice.pk: 1}, now=NOW)

    eta = math.ceil(3 * 4 / 2) + 10 + math.ceil(ride(office))  # 3 queued, 2 pickers, 4 min each
    assert [(s.hub_id, dict(s.lines), s.eta_minutes) for s in plan.shipments] == [
        (office.pk, {tangerine.pk: 4, rice.pk: 1}, eta)
    ]
    reasons = {v.hub_id: (v.outcome, v.reason) for v in plan.verdicts}
    assert ride(office) == pytest.approx(5.8, abs=0.05)  # the circuity model, deterministic
    assert reasons[office.pk] == ("chosen", f"has all 2 products, 5.8 min ride, ETA {eta} min")
    assert reasons[hongdae.pk] == ("rejected", "lacks 1 × 이천 쌀 4kg")
    assert plan.strategy == settings.ALLOCATION_STRATEGY


def test_a_closed_hub_or_one_without_instant_has_no_eta_and_no_hours_means_always_open(
    office: Hub, hongdae: Hub, tangerine: Product
) -> None:
    OpeningHours.objects.create(hub=office, weekday=NOW.weekday(), opens_at=time(18), closes_at=time(2))
    FulfilmentPolicy.objects.create(hub=hongdae, instant_enabled=False)
    candidates, names = candidates_for(CELL, {tangerine.pk: 1}, now=NOW)
    assert [(c.hub_id, c.eta_minutes) for c in candidates] == [(office.pk, None), (hongdae.pk, None)]
    assert names == {tangerine.pk: "제주 감귤 1kg"}

    late = NOW.replace(hour=23)  # inside the window that runs past midnight
    by_hub = {c.hub_id: c for c in candidates_for(CELL, {tangerine.pk: 1}, now=late)[0]}
    assert by_hub[office.pk].eta_minutes == 10 + math.ceil(ride(office))
    after_midnight = (NOW + timedelta(days=1)).replace(hour=1, minute=30)
    assert candidates_for(CELL, {tangerine.pk: 1}, now=after_midnight)[0][0].eta_minutes is not None

    FulfilmentPolicy.objects.filter(hub=hongdae).update(instant_enabled=True)
    by_hub = {c.hub_id: c for c in candidates_for(CELL, {tangerine.pk: 1}, now=NOW)[0]}
    assert by_hub[hongdae.pk].eta_minutes == 10 + math.ceil(ride(hongdae))  # no hours: open
    assert not FulfilmentPolicy.objects.filter(hub=office).exists()  # the read path writes nothing


def test_costs_stock_and_the_customers_own_holds(office: Hub, tangerine: Product) -> None:
    StockFactory(hub=office, product=tangerine, on_hand=4, reserved=4)
    [plain] = candidates_for(CELL, {tangerine.pk: 2}, now=NOW)[0]
    assert plain.stock == {tangerine.pk: 0}
    assert plain.cost_won == cost_to_serve_won(ride(office), 4) == math.ceil(2 * ride(office) * 250) + 800

    plan = plan_for(CELL, {tangerine.pk: 2}, now=NOW, extra_stock={(office.pk, tangerine.pk): 2})
    assert plan.can_serve
    assert dict(plan.shipments[0].lines) == {tangerine.pk: 2}


def test_split_over_two_hubs_with_the_strategy_given(
    office: Hub, hongdae: Hub, tangerine: Product, rice: Product
) -> None:
    StockFactory(hub=office, product=tangerine, on_hand=5)
    StockFactory(hub=hongdae, product=rice, on_hand=5)
    plan = plan_for(CELL, {tangerine.pk: 2, rice.pk: 1}, now=NOW, strategy=MostStock())
    assert plan.is_split
    assert plan.strategy == "most_stock"
    assert {s.hub_id: dict(s.lines) for s in plan.shipments} == {
        office.pk: {tangerine.pk: 2},
        hongdae.pk: {rice.pk: 1},
    }


def test_not_servable_gives_missing_units_and_the_inbound_time_in_three_queries(
    office: Hub, hongdae: Hub, tangerine: Product, rice: Product, django_assert_max_num_queries
) -> None:
    StockFactory(hub=office, product=tangerine, on_hand=1)
    StockFactory(hub=hongdae, product=rice, on_hand=1)
    arrives = NOW + timedelta(hours=3)
    inbound = InboundShipment.objects.create(merchant=tangerine.merchant, hub=office, expected_at=arrives)
    InboundLine.objects.create(shipment=inbound, product=tangerine, quantity_sent=10)
    cancelled = InboundShipment.objects.create(
        merchant=tangerine.merchant, hub=hongdae, expected_at=NOW + timedelta(hours=1), status="cancelled"
    )
    InboundLine.objects.create(shipment=cancelled, product=tangerine, quantity_sent=10)

    with django_assert_max_num_queries(3), translation.override("en"):
        plan = plan_for(CELL, {tangerine.pk: 3, rice.pk: 1}, now=NOW)
    assert not plan.can_serve
    assert plan.missing == {tangerine.pk: 2}
    assert plan.earliest_at == arrives
    assert plan.summary == (
        "No hub or pair of hubs can serve the basket now, short of 2 × 제주 감귤 1kg; "
        "expected stock lets it be delivered from 2030-06-12 17:00."
    )
    assert plan.as_dict()["earliest_at"] == "2030-06-12T17:00:00+09:00"


def test_servable_plan_reads_in_two_queries(
    office: Hub, tangerine: Product, django_assert_num_queries
) -> None:
    """The hubs (with policy, queue, opening hours) in one query, products and stock in one."""
    StockFactory(hub=office, product=tangerine, on_hand=5)
    with django_assert_num_queries(2):
        assert plan_for(CELL, {tangerine.pk: 1}, now=NOW).can_serve


def test_outside_every_service_area_and_paused_hubs(office: Hub, tangerine: Product) -> None:
    with pytest.raises(OutsideServiceArea) as err:
        plan_for(GANGNAM_CELL, {tangerine.pk: 1}, now=NOW)
    assert err.value.code == "outside_service_area"
    assert err.value.status_code == 422
    Hub.objects.filter(pk=office.pk).update(status=Hub.Status.PAUSED)
    with pytest.raises(OutsideServiceArea):
        plan_for(CELL, {tangerine.pk: 1}, now=NOW)


@pytest.mark.parametrize(
    ("basket", "code"),
    [
        ({}, "empty_basket"),
        ({1: 0}, "InvalidInput"),
        ({1: 10_001}, "InvalidInput"),
        ({999_999: 1}, "unknown_product"),
    ],
)
def test_bad_baskets_are_refused(office: Hub, basket: dict[int, int], code: str) -> None:
    with pytest.raises(InvalidInput) as err:
        plan_for(CELL, basket, now=NOW)
    assert err.value.code == code


def test_the_plan_speaks_the_active_language(office: Hub, hongdae: Hub, tangerine: Product) -> None:
    StockFactory(hub=office, product=tangerine, on_hand=5)
    with translation.override("ko"):
        korean = plan_for(CELL, {tangerine.pk: 1}, now=NOW)
    with translation.override("en"):
        english = plan_for(CELL, {tangerine.pk: 1}, now=NOW)
    assert korean.shipments == english.shipments
    assert "분" in korean.summary
    assert "min" not in korean.summary
    assert "has the whole basket" in english.summary
    assert {v.reason for v in korean.verdicts} != {v.reason for v in english.verdicts}


def _cap(promise: int, prep: int, pickers: int | None, pick: int | None) -> int:
    """queue_cap_sql() evaluated by the database for one hub and policy (None: no policy)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {queue_cap_sql()} FROM (SELECT CAST(%s AS integer) AS promise_minutes, "
            "CAST(%s AS integer) AS prep_minutes) h, "
            "(SELECT CAST(%s AS integer) AS pickers, CAST(%s AS integer) AS pick_minutes_per_order) p",
            [promise, prep, pickers, pick],
        )
        return int(cursor.fetchone()[0])


@pytest.mark.parametrize(
    ("promise", "prep", "pickers", "pick"),
    [(30, 10, 2, 4), (30, 10, 1, 5), (25, 12, 3, 7), (45, 5, 4, 1), (30, 10, None, None), (20, 19, 1, 9)],
)
def test_the_queue_counted_up_to_the_cap_gives_the_same_eta_within_the_promise(
    promise: int, prep: int, pickers: int | None, pick: int | None, db: None
) -> None:
    """The hubs read counts the picking queue only up to the cap (on PostgreSQL): within the
    promise the ETA is exactly the one of the whole queue, and past it, still past it."""
    cap = _cap(promise, prep, pickers, pick)
    pickers, pick = pickers or 2, pick or 4  # the model's defaults
    for queue_length in range(cap + 40):
        for travel in (0.0, 0.4, 1.0, 3.7, 9.0, promise - prep + 0.5):

            def eta(q: int, travel: float = travel) -> int:
                return instant_eta_minutes(
                    queue_length=q, pickers=pickers, pick_minutes_per_order=pick,
                    prep_minutes=prep, travel_minutes=travel,
                )  # fmt: skip

            true, capped = eta(queue_length), eta(min(queue_length, cap))
            if true <= promise:
                assert capped == true
            else:
                assert capped > promise
    # The cap is the smallest such queue: one fewer keeps the promise with no ride at all.
    assert instant_eta_minutes(
        queue_length=cap - 1, pickers=pickers, pick_minutes_per_order=pick, prep_minutes=prep,
        travel_minutes=0,
    ) <= promise  # fmt: skip


def test_a_long_queue_is_counted_up_to_the_cap_and_instant_is_refused(
    office: Hub, tangerine: Product
) -> None:
    FulfilmentPolicy.objects.update_or_create(
        hub=office, defaults={"pickers": 1, "pick_minutes_per_order": 5}
    )
    StockFactory(hub=office, product=tangerine, on_hand=5)
    queue(office, 1)
    [before] = candidates_for(CELL, {tangerine.pk: 1}, now=NOW)[0]
    assert before.eta_minutes == 5 + 10 + math.ceil(ride(office))  # exact: within the promise
    assert before.meets_promise
    queue(office, 11)  # 12 waiting; the cap is (30 - 10) * 1 // 5 + 1 = 5
    [after] = candidates_for(CELL, {tangerine.pk: 1}, now=NOW)[0]
    counted = 5 if connection.vendor == "postgresql" else 12
    assert after.eta_minutes == counted * 5 + 10 + math.ceil(ride(office))
    assert not after.meets_promise

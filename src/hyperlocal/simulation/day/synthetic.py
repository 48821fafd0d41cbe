"""A whole synthetic day: city, hubs with pickers, demand, couriers in shifts."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from hyperlocal.geo import CircuityModel, Mode, Point, TravelTimeModel

from .city import SyntheticCity, disc_city, mapo_city
from .demand import DailyProfile, allocate_hub, orders_from_homes
from .picking import prep_minutes
from .scenario import HubSpec, OrderSpec, Scenario
from .staffing import courier_shifts, expected_per_hour, minutes_per_order, pickers_for

__all__ = ["SEOUL", "DayPlan", "synthetic_day"]

SEOUL = ZoneInfo("Asia/Seoul")


@dataclass(frozen=True)
class DayPlan:
    """The knobs of a synthetic day (the bench's day is the default)."""

    orders: int = 4000
    hubs: int = 4
    start_hour: float = 10.0
    hours: float = 12.0
    promise_minutes: float = 60.0
    homes: int = 8000
    city: str = "mapo"  # "mapo" (Mapo-gu's dongs) or "disc" (a small round town)
    # Staffing: couriers = one-bag-per-trip workload / this (shift overlaps add slack; at 1.0
    # the greedy baseline stays about 99 % on time on the default day).
    courier_utilisation: float = 1.0
    shift_hours: float = 4.0
    seed: int = 20240601


def _city(plan: DayPlan, rng: np.random.Generator, accept: Callable[[Point], bool] | None) -> SyntheticCity:
    if plan.city == "mapo":
        return mapo_city(plan.homes, plan.hubs, rng, accept)
    if plan.city == "disc":
        return disc_city(plan.homes, plan.hubs, rng)
    raise ValueError(f"unknown city {plan.city!r}; expected 'mapo' or 'disc'")


def synthetic_day(
    plan: DayPlan,
    *,
    date: datetime | None = None,
    travel: TravelTimeModel | None = None,
    accept: Callable[[Point], bool] | None = None,
    city: SyntheticCity | None = None,
    hub_specs: tuple[HubSpec, ...] | None = None,
) -> Scenario:
    """The day's scenario, fully determined by ``plan`` (and the city or hubs given)."""
    rng = np.random.default_rng(plan.seed)
    travel = travel or CircuityModel()
    city = city or _city(plan, rng, accept)
    day = (date or datetime.now(SEOUL)).astimezone(SEOUL).date()
    start = datetime.combine(day, time(0), SEOUL) + timedelta(hours=plan.start_hour)
    if hub_specs is None:
        # Reach: what a bike covers in the promise after packing and the hand-over.
        reach = travel.max_reach_m(max(plan.promise_minutes - 15, 5), Mode.BIKE)
        hub_specs = tuple(
            HubSpec(f"h{n + 1}", site, f"Hub {n + 1}", plan.promise_minutes, reach_m=reach)
            for n, site in enumerate(city.hub_sites)
        )
    per_hour_all = expected_per_hour(plan.orders, start_hour=plan.start_hour, hours=plan.hours)
    allocation = allocate_hub(city.homes, hub_specs)
    served = max(1, int(np.sum(allocation >= 0)))
    hubs = []
    for n, hub in enumerate(hub_specs):
        share = float(np.sum(allocation == n)) / served
        mean_prep = prep_minutes(hub, OrderSpec("", 0, hub.id, hub.point, 3, 0))  # a 3-item basket
        hubs.append(
            HubSpec(
                hub.id,
                hub.point,
                hub.name,
                hub.promise_minutes,
                pickers_for(max(per_hour_all) * share, mean_prep),
                hub.pick_minutes,
                hub.pick_minutes_per_item,
                hub.reach_m,
            )
        )
    orders = orders_from_homes(
        city.homes,
        hubs,
        plan.orders,
        start_hour=plan.start_hour,
        hours=plan.hours,
        rng=rng,
        profile=DailyProfile(),
    )
    couriers = []
    for n, hub in enumerate(hubs):
        mine = [city.homes[i] for i in np.flatnonzero(allocation == n)]
        sample = (
            [mine[int(i)] for i in rng.choice(len(mine), size=min(300, len(mine)), replace=False)]
            if mine
            else []
        )
        share = len(mine) / served
        couriers += courier_shifts(
            hub,
            [x * share for x in per_hour_all],
            minutes_per_order(hub.point, sample, travel),
            rng,
            utilisation=plan.courier_utilisation,
            shift_hours=plan.shift_hours,
            tail_minutes=plan.promise_minutes,
        )
    return Scenario(
        start=start,
        hubs=tuple(hubs),
        couriers=tuple(couriers),
        orders=_sorted(orders),
        travel=travel,
        name=f"{city.name}: {plan.orders:,} orders, {len(hubs)} hubs, {plan.hours:g} h",
        homes=city.homes,
    )


def _sorted(orders: tuple[OrderSpec, ...]) -> tuple[OrderSpec, ...]:
    return tuple(sorted(orders, key=lambda o: (o.placed_at, o.id)))

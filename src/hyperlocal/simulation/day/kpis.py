"""The day's figures: service (on time against the original promise, click-to-door) and
cost (orders per courier-hour, courier-km per delivered order, utilisation)."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .result import DayResult

__all__ = ["Kpis", "kpis"]


@dataclass(frozen=True)
class Kpis:
    orders: int
    delivered: int
    undelivered: int
    on_time: int
    on_time_rate: float  # on-time deliveries / orders (an undelivered order is not on time)
    click_to_door_p50: float  # minutes, delivered orders
    click_to_door_p90: float
    orders_per_courier_hour: float  # delivered / shift hours
    courier_km: float
    km_per_delivered: float
    utilisation: float  # minutes out on trips / shift minutes
    trips: int
    orders_per_trip: float
    rounds: int
    round_mean_s: float
    round_p95_s: float
    refused_trips: int


def _percentile(values: list[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else math.nan


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def kpis(result: DayResult) -> Kpis:
    deliveries = result.deliveries
    trips = result.trips
    rounds = [r.seconds for r in result.rounds]
    on_time = sum(1 for d in deliveries if d.on_time)
    km = sum(t.metres for t in trips) / 1000
    busy = sum(t.return_at - t.depart_at for t in trips)
    return Kpis(
        orders=result.orders,
        delivered=len(deliveries),
        undelivered=len(result.undelivered),
        on_time=on_time,
        on_time_rate=_ratio(on_time, result.orders),
        click_to_door_p50=_percentile([d.click_to_door for d in deliveries], 50),
        click_to_door_p90=_percentile([d.click_to_door for d in deliveries], 90),
        orders_per_courier_hour=_ratio(len(deliveries), result.courier_minutes / 60),
        courier_km=km,
        km_per_delivered=_ratio(km, len(deliveries)),
        utilisation=_ratio(busy, result.courier_minutes),
        trips=len(trips),
        orders_per_trip=_ratio(len(deliveries), len(trips)),
        rounds=len(rounds),
        round_mean_s=float(np.mean(rounds)) if rounds else 0.0,
        round_p95_s=_percentile(rounds, 95) if rounds else 0.0,
        refused_trips=result.refused_trips,
    )

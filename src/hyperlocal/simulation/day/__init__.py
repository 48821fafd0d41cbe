"""The in-memory day simulator: orders, picking, dispatch rounds and couriers on a
simulated clock, on plain dataclasses (no database writes).

    scenario = synthetic_day(DayPlan(orders=4000, hubs=4))
    greedy = run_day(scenario, GreedyDispatch())
    optimised = run_day(scenario, OptimisedDispatch(max_iterations=200))
    kpis(greedy), kpis(optimised)   # the same orders, seeded: comparable in one run
"""

from .city import SyntheticCity, disc_city, hub_sites, mapo_city
from .demand import DailyProfile, allocate_hub, order_times, orders_from_homes
from .engine import DayConfig, run_day, simulate_hub
from .kpis import Kpis, kpis
from .picking import Packing, pack
from .planar import PlanarTravelModel, from_planar, to_planar
from .result import DayResult, Delivery, HubLog, RoundStat, Trip
from .scenario import CourierSpec, HubSpec, OrderSpec, Scenario
from .synthetic import SEOUL, DayPlan, synthetic_day

__all__ = [
    "SEOUL",
    "CourierSpec",
    "DailyProfile",
    "DayConfig",
    "DayPlan",
    "DayResult",
    "Delivery",
    "HubLog",
    "HubSpec",
    "Kpis",
    "OrderSpec",
    "Packing",
    "PlanarTravelModel",
    "RoundStat",
    "Scenario",
    "SyntheticCity",
    "Trip",
    "allocate_hub",
    "disc_city",
    "from_planar",
    "hub_sites",
    "kpis",
    "mapo_city",
    "order_times",
    "orders_from_homes",
    "pack",
    "run_day",
    "simulate_hub",
    "synthetic_day",
    "to_planar",
]

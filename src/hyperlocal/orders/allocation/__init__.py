"""Allocation of a basket to hubs: pure Python on plain dataclasses, no Django.

`allocate(basket, candidates, strategy, now=..., instant=...)` returns a `Plan` with at most
two shipments and a verdict for every hub considered; `hyperlocal.orders.services.candidates`
builds the candidates from the database.
"""

from hyperlocal.orders.allocation.allocate import allocate, assign, covers
from hyperlocal.orders.allocation.model import Candidate, Plan, ShipmentPlan, Verdict
from hyperlocal.orders.allocation.strategies import (
    STRATEGIES,
    AllocationStrategy,
    CheapestToServe,
    MostStock,
    NearestHub,
    strategy_named,
)

__all__ = [
    "STRATEGIES",
    "AllocationStrategy",
    "Candidate",
    "CheapestToServe",
    "MostStock",
    "NearestHub",
    "Plan",
    "ShipmentPlan",
    "Verdict",
    "allocate",
    "assign",
    "covers",
    "strategy_named",
]

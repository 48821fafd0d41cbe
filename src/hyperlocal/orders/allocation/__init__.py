"""Allocation of a basket to hubs: pure Python on plain dataclasses, no Django.

`allocate(basket, candidates, strategy, now=..., instant=..., language=...)` returns a `Plan`
with at most two shipments and a verdict for every hub considered;
`hyperlocal.orders.services.candidates` builds the candidates from the database. The words of
the explanation, English or Korean, are in `words`: `wording_for(language)`.
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
from hyperlocal.orders.allocation.words import ENGLISH, KOREAN, Wording, wording_for

__all__ = [
    "ENGLISH",
    "KOREAN",
    "STRATEGIES",
    "AllocationStrategy",
    "Candidate",
    "CheapestToServe",
    "MostStock",
    "NearestHub",
    "Plan",
    "ShipmentPlan",
    "Verdict",
    "Wording",
    "allocate",
    "assign",
    "covers",
    "strategy_named",
    "wording_for",
]

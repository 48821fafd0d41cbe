"""Dispatch rounds on plain dataclasses: what a round sees and decides, and the strategies."""

from .greedy import GreedyDispatch
from .model import (
    CarriedStop,
    CourierPlan,
    CourierState,
    DispatchStrategy,
    OpenShipment,
    PlannedStop,
    RoundInput,
    RoundPlan,
)
from .optimised import OptimisedDispatch
from .strategies import STRATEGIES, strategy_named

__all__ = [
    "STRATEGIES",
    "CarriedStop",
    "CourierPlan",
    "CourierState",
    "DispatchStrategy",
    "GreedyDispatch",
    "OpenShipment",
    "OptimisedDispatch",
    "PlannedStop",
    "RoundInput",
    "RoundPlan",
    "strategy_named",
]

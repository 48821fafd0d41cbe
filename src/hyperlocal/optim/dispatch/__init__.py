"""Dispatch rounds on plain dataclasses: what a round sees and decides, and the strategies."""

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

__all__ = [
    "CarriedStop",
    "CourierPlan",
    "CourierState",
    "DispatchStrategy",
    "OpenShipment",
    "PlannedStop",
    "RoundInput",
    "RoundPlan",
]

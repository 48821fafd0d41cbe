"""Site planning services: parameters, demand, candidates, the inputs of a siting model,
running it, and the zone split of a new hub.

The jobs, API, CLI and pages call these (and ``plans``, ``export``, ``opening`` directly)."""

from hyperlocal.planning.services.candidates import Candidate, candidate_sites
from hyperlocal.planning.services.demand import CellDemand, build_demand
from hyperlocal.planning.services.inputs import PlanInputs, Progress, build_inputs
from hyperlocal.planning.services.outcome import result_json
from hyperlocal.planning.services.parameters import (
    DEMAND_SOURCES,
    MODELS,
    ORDER_WEIGHTS,
    PARAMETER_HELP,
    ZONE_KINDS,
    PlanParameters,
    clean_parameters,
    region_for,
)
from hyperlocal.planning.services.runner import run_plan, solve
from hyperlocal.planning.services.zoning import (
    ZonePlan,
    can_plan,
    daily_capacity,
    districts_planned_by,
    split_zones,
    update_zone_rule,
    zone_rule_for,
)

__all__ = [
    "DEMAND_SOURCES",
    "MODELS",
    "ORDER_WEIGHTS",
    "PARAMETER_HELP",
    "ZONE_KINDS",
    "Candidate",
    "CellDemand",
    "PlanInputs",
    "PlanParameters",
    "Progress",
    "ZonePlan",
    "build_demand",
    "build_inputs",
    "can_plan",
    "candidate_sites",
    "clean_parameters",
    "daily_capacity",
    "districts_planned_by",
    "region_for",
    "result_json",
    "run_plan",
    "solve",
    "split_zones",
    "update_zone_rule",
    "zone_rule_for",
]

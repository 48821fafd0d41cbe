"""Vehicle routing at matrix level on top of PyVRP.

Dispatch rounds and the Solomon benchmark share this one code path: describe the problem
with float matrices (``RoutingProblem``), ``solve`` it under a wall-clock limit with a seed,
read routes with arrival times and distances recomputed in double precision.
"""

from .problem import Client, Depot, InvalidProblem, RoutingProblem, VehicleType
from .solution import Route, RoutingSolution, Trip, Visit, routes_feasible, schedule_route
from .solve import solve, to_pyvrp
from .timeline import Ride, ride

__all__ = [
    "Client",
    "Depot",
    "InvalidProblem",
    "Ride",
    "Route",
    "RoutingProblem",
    "RoutingSolution",
    "Trip",
    "VehicleType",
    "Visit",
    "ride",
    "routes_feasible",
    "schedule_route",
    "solve",
    "to_pyvrp",
]

"""Site selection on HiGHS: which candidate spaces become hubs, from weighted demand.

Pure (numpy and highspy, no Django): the caller describes demand points, candidate sites
and which sites each point reaches (``SitingProblem``; ``reach_from_planar`` and
``reach_from_travel`` build the reach), then runs a model:

- ``solve_mclp``: maximal covering with p new sites (budget, capacities optional);
- ``solve_set_cover``: the fewest new sites covering a target share of demand;
- ``solve_p_median``: p new sites minimising demand-weighted travel;
- ``greedy_mclp`` / ``greedy_set_cover``: the greedy heuristic alone, for huge inputs;
- ``solve_mclp_plain``: the unreduced maximal covering MILP (the benchmark's baseline).

Each returns a ``SitingResult``: the plan, its status (optimal, or the best plan found
when the time limit struck, with its gap), and the demand it serves. Bad input raises
``SitingInputError``; infeasible inputs return status ``infeasible`` with a message that
names the constraint.
"""

from .heuristic import greedy_mclp, greedy_set_cover
from .mclp import solve_mclp
from .plain import solve_mclp_plain
from .pmedian import solve_p_median
from .problem import CandidateSite, DemandPoint, Key, Reach, SitingInputError, SitingProblem
from .reach import planar_problem, reach_from_planar, reach_from_travel
from .result import SitingResult, SolveStatus
from .setcover import solve_set_cover

__all__ = [
    "CandidateSite",
    "DemandPoint",
    "Key",
    "Reach",
    "SitingInputError",
    "SitingProblem",
    "SitingResult",
    "SolveStatus",
    "greedy_mclp",
    "greedy_set_cover",
    "planar_problem",
    "reach_from_planar",
    "reach_from_travel",
    "solve_mclp",
    "solve_mclp_plain",
    "solve_p_median",
    "solve_set_cover",
]

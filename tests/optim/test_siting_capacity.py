"""Maximal covering under capacities (optim/siting/capacity.py): no site serves more than
its capacity, and the plan is optimal against brute force over the site sets, each scored
by a max flow (points -> sites in reach -> capacities)."""

from __future__ import annotations

import itertools
from collections import deque

import numpy as np
import pytest

from hyperlocal.optim.siting import SitingProblem, SolveStatus, planar_problem, solve_mclp


def max_flow(problem: SitingProblem, open_sites: set[int]) -> float:
    """Edmonds-Karp on source -> point (weight) -> open site in reach -> sink (capacity)."""
    n, m = len(problem.demand), len(problem.sites)
    source, sink = n + m, n + m + 1
    capacity: dict[tuple[int, int], float] = {}
    for i, point in enumerate(problem.demand):
        capacity[(source, i)] = point.weight
        for k in range(problem.reach.start[i], problem.reach.start[i + 1]):
            j = int(problem.reach.site[k])
            if j in open_sites:
                capacity[(i, n + j)] = float("inf")
    for j in open_sites:
        site_cap = problem.sites[j].capacity
        capacity[(n + j, sink)] = float("inf") if site_cap is None else site_cap
    edges: dict[int, set[int]] = {}
    for a, b in list(capacity):
        edges.setdefault(a, set()).add(b)
        edges.setdefault(b, set()).add(a)
        capacity.setdefault((b, a), 0.0)
    total = 0.0
    while True:
        parent = {source: source}
        queue = deque([source])
        while queue and sink not in parent:
            a = queue.popleft()
            for b in edges.get(a, ()):
                if b not in parent and capacity[(a, b)] > 1e-12:
                    parent[b] = a
                    queue.append(b)
        if sink not in parent:
            return total
        path, b = [], sink
        while b != source:
            path.append((parent[b], b))
            b = parent[b]
        push = min(capacity[e] for e in path)
        for a, b in path:
            capacity[(a, b)] -= push
            capacity[(b, a)] += push
        total += push


def capacitated_problem(seed: int, **kw: object) -> SitingProblem:
    rng = np.random.default_rng(seed)
    capacity = rng.uniform(2, 12, 7).round(1).tolist()
    capacity[6] = None  # one site without a limit
    return planar_problem(
        rng.uniform(0, 10, (25, 2)),
        rng.uniform(0.5, 4, 25).round(2),
        rng.uniform(0, 10, (7, 2)),
        3.5,
        capacity=capacity,
        **kw,  # type: ignore[arg-type]
    )


def positions(problem: SitingProblem, ids: tuple[object, ...]) -> set[int]:
    return {j for j, s in enumerate(problem.sites) if s.id in ids}


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("p", [1, 2, 3])
def test_capacities_are_respected_and_the_plan_is_optimal(seed: int, p: int) -> None:
    problem = capacitated_problem(seed)
    result = solve_mclp(problem, p, capacitated=True, time_limit=20)
    assert result.status is SolveStatus.OPTIMAL
    assert len(result.new_sites) == p
    best = max(max_flow(problem, set(combo)) for combo in itertools.combinations(range(7), p))
    assert result.objective == pytest.approx(best, abs=1e-6)
    assert max_flow(problem, positions(problem, result.sites)) == pytest.approx(best, abs=1e-6)
    for site in problem.sites:
        if site.id in result.assignment and site.capacity is not None:
            assert result.assignment[site.id] <= site.capacity + 1e-6
    assert result.covered_weight == pytest.approx(sum(result.assignment.values()))
    assert "within capacities" in result.message


def test_capacities_only_count_when_asked_for() -> None:
    problem = capacitated_problem(1)
    uncapped = solve_mclp(problem, 2, time_limit=20)
    capped = solve_mclp(problem, 2, capacitated=True, time_limit=20)
    assert capped.objective is not None
    assert uncapped.objective is not None
    assert capped.objective < uncapped.objective


def test_open_sites_use_their_capacity_and_are_not_counted_in_p() -> None:
    problem = capacitated_problem(2, fixed_open=[True] + [False] * 6)
    result = solve_mclp(problem, 2, capacitated=True, time_limit=20)
    assert result.fixed_sites == (0,)
    assert len(result.new_sites) == 2
    best = max(max_flow(problem, {0, *combo}) for combo in itertools.combinations(range(1, 7), 2))
    assert result.objective == pytest.approx(best, abs=1e-6)


def test_a_rent_budget_holds_under_capacities() -> None:
    rent = [100, 300, 200, 500, 400, 50, 250]
    problem = capacitated_problem(3, rent=rent)
    result = solve_mclp(problem, 2, capacitated=True, budget=450, time_limit=20)
    chosen = positions(problem, result.new_sites)
    assert sum(rent[j] for j in chosen) <= 450
    affordable = [c for c in itertools.combinations(range(7), 2) if sum(rent[j] for j in c) <= 450]
    assert result.objective == pytest.approx(max(max_flow(problem, set(c)) for c in affordable), abs=1e-6)

"""Reduced-cost fixing (optim/siting/fixing.py): the Lagrangian bounds are valid for any
multipliers, tight with the LP's duals, and never drop a site an optimal plan needs."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hyperlocal.optim.siting import Reach
from hyperlocal.optim.siting.cover_model import cover_model
from hyperlocal.optim.siting.fixing import lagrangian_bound, multipliers_from_duals
from hyperlocal.optim.siting.milp import solve_lp
from hyperlocal.optim.siting.reduce import Covering, covered_weight, reduce_covering


def random_covering(seed: int, points: int = 30, sites: int = 8) -> Covering:
    rng = np.random.default_rng(seed)
    rows = [rng.choice(sites, size=rng.integers(1, 4), replace=False).tolist() for _ in range(points)]
    reach = Reach.from_rows([dict.fromkeys(row, 1.0) for row in rows])
    return reduce_covering(reach, rng.lognormal(0, 1, points), np.zeros(sites), dominance=False)


def plans(covering: Covering, p: int) -> list[tuple[tuple[int, ...], float]]:
    out = []
    for combo in itertools.combinations(range(len(covering.site)), p):
        chosen = np.zeros(len(covering.site), dtype=bool)
        chosen[list(combo)] = True
        out.append((combo, covered_weight(covering, chosen)))
    return out


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), p=st.integers(1, 4), scale=st.floats(0.0, 2.0))
def test_any_multipliers_bound_every_plan_and_every_plan_with_a_given_site(
    seed: int, p: int, scale: float
) -> None:
    covering = random_covering(seed)
    rng = np.random.default_rng(seed + 1)
    u = rng.uniform(0, scale, covering.points) * covering.weight  # some beyond w: clipped
    bound = lagrangian_bound(covering, p, u)
    for combo, value in plans(covering, p):
        assert value <= bound.bound + 1e-9
        for column in combo:
            assert value <= bound.with_column[column] + 1e-9


def test_the_lp_duals_give_the_lp_bound() -> None:
    covering = random_covering(3, points=60, sites=10)
    model = cover_model(covering, p=3)
    lp = solve_lp(model.milp, time_limit=10)
    assert lp.row_dual is not None
    assert lp.objective is not None
    best = min(lagrangian_bound(covering, 3, u).bound for u in multipliers_from_duals(model, lp.row_dual))
    assert best == pytest.approx(lp.objective, rel=1e-6)


@pytest.mark.parametrize("seed", range(6))
def test_fixing_at_the_optimum_keeps_an_optimal_plan(seed: int) -> None:
    covering = random_covering(seed, points=40, sites=9)
    p = 3
    model = cover_model(covering, p=p)
    lp = solve_lp(model.milp, time_limit=10)
    assert lp.row_dual is not None
    bound = min(
        (lagrangian_bound(covering, p, u) for u in multipliers_from_duals(model, lp.row_dual)),
        key=lambda b: b.bound,
    )
    every = plans(covering, p)
    optimum = max(value for _, value in every)
    needed = bound.needed(optimum)
    assert any(value == pytest.approx(optimum) and all(needed[c] for c in combo) for combo, value in every)
    # Every plan better than a poorer one in hand uses only the sites that stay.
    in_hand = sorted(value for _, value in every)[len(every) // 2]
    keep = bound.needed(in_hand)
    assert all(all(keep[c] for c in combo) for combo, value in every if value > in_hand + 1e-9)


def test_with_p_zero_no_site_is_needed() -> None:
    covering = random_covering(1)
    bound = lagrangian_bound(covering, 0, covering.weight)
    assert bound.bound == pytest.approx(0.0)
    assert not bound.needed(0.0).any()

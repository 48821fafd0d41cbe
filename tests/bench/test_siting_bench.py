"""bench/siting.py: its reading and recounting in-process, and its --quick run as a user runs
it (a subprocess). Checks what it reports about correctness, never its timings."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import numpy as np
import pytest

from hyperlocal.optim.siting import CandidateSite, DemandPoint, SitingProblem

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "siting.py"


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("siting_bench", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


siting = load()


def test_the_instance_is_read_whole() -> None:
    instance = siting.read_instance(siting.DATA)
    assert instance.demand_xy.shape == (10_000, 2)
    assert instance.site_xy.shape == (500, 2)
    assert instance.weights.sum() == pytest.approx(siting.NOTE_TOTAL, abs=0.05)


def test_recount_counts_the_weight_within_the_radius_of_a_chosen_site() -> None:
    instance = siting.Instance(
        np.array([[0.0, 0.0], [0.0, 2.0], [0.0, 2.5], [9.0, 9.0]]),
        np.array([1.0, 2.0, 4.0, 8.0]),
        np.array([[0.0, 0.0], [9.0, 8.0]]),
    )
    assert siting.recount(instance, [0]) == 3.0  # 2 km is within reach, 2.5 km is not
    assert siting.recount(instance, [0, 1]) == 11.0
    assert siting.recount(instance, []) == 0.0
    sample = instance.subsample(2, 1, seed=1)
    assert sample.weights.shape == (2,)
    assert sample.site_xy.shape == (1, 2)


def test_part_one_without_the_plain_model_runs_the_reduced_one_twice() -> None:
    instance = siting.read_instance(siting.DATA).subsample(400, 30, seed=3)
    one = siting.part_one(instance, 4, 60.0, plain=False)
    assert [run.model for run in one.runs] == ["reduced", "reduced, gap 0"]
    assert all(run.recounted and run.optimal for run in one.runs)
    assert one.runs[0].objective == pytest.approx(one.runs[1].objective, rel=1e-4)


def test_quick_run_recounts_every_plan_and_the_models_agree(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--no-demo-city", "--json", str(figures)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "bench/siting.py part 1" in run.stdout
    data = json.loads(figures.read_text())
    runs = data["part1"]["runs"]
    assert [r["model"] for r in runs] == ["reduced", "reduced, gap 0", "plain", "reduced, again"]
    exact = runs[1]["objective"]
    for r in runs:
        assert r["status"] == "optimal"
        assert r["recount"] == pytest.approx(r["objective"], rel=1e-9)
        assert len(r["sites"]) == data["part1"]["p"] == 10
        assert r["objective"] >= exact * (1 - 1e-4) - 1e-6
    assert runs[1]["gap"] == pytest.approx(0.0, abs=1e-9)
    sizes = runs[0]["sizes"]
    assert sizes["points"] == 3000
    assert sizes["points_merged"] < 3000
    assert sizes["sites_after_fixing"] <= sizes["sites_undominated"] <= sizes["sites"] == 150
    part2 = data["part2"]
    if isinstance(part2, str):  # spopt not installed: skipped, and says how to install it
        assert "pip install -e '.[bench]'" in part2
        assert "part 2 skipped" in run.stdout
    else:
        assert part2["ours"]["objective"] == pytest.approx(part2["spopt"]["objective"], rel=1e-6)
        assert part2["spopt"]["recount"] == pytest.approx(part2["spopt"]["objective"], rel=1e-9)
        assert data["checks"]["spopt agrees"] is True
        assert "objectives agree: yes" in run.stdout


def small_problem() -> SitingProblem:
    # Points a (weight 6), b (3), c (1); site x reaches a in 4 min and b in 12, y reaches c in 2.
    return SitingProblem.from_mapping(
        [DemandPoint("a", 6.0), DemandPoint("b", 3.0), DemandPoint("c", 1.0)],
        [CandidateSite("x"), CandidateSite("y")],
        {"a": {"x": 4.0}, "b": {"x": 12.0}, "c": {"y": 2.0}},
    )


def test_covered_share_counts_demand_within_the_promise_of_an_open_site() -> None:
    problem = small_problem()
    assert siting.covered_share(problem, {"x"}, 15.0) == pytest.approx(0.9)
    assert siting.covered_share(problem, {"x"}, 10.0) == pytest.approx(0.6)  # b is 12 min away
    assert siting.covered_share(problem, {"x", "y"}, 10.0) == pytest.approx(0.7)
    assert siting.covered_share(problem, set(), 15.0) == 0.0


def cover(method: str, sites: int | None, share: float, status: str = "optimal") -> object:
    return siting.CoverRun(method, status, sites, 0.0, share, share, 0.1, "")


def test_demo_checks_catch_a_greedy_plan_smaller_than_the_optimum_and_short_coverage() -> None:
    good = siting.DemoCase(
        True, 15.0, 200, 9000.0, 146, 4, 20000, 0.3, cover("MILP", 2, 0.97), cover("g", 3, 0.96)
    )
    three = siting.PartThree(1, 2000, 3.0, 268, [good])
    checks = siting.demo_checks(three)
    assert all(checks.values())
    lines = siting.demo_lines(three)
    assert "MILP 2 sites (optimal, gap 0.00%)" in lines[1]
    assert "greedy 3 sites" in lines[1]
    assert "greedy - MILP = +1 (+50%)" in lines[1]
    wrong = siting.DemoCase(
        True, 15.0, 200, 9000.0, 146, 4, 20000, 0.3, cover("MILP", 3, 0.97), cover("g", 2, 0.96)
    )
    short = siting.DemoCase(
        False, 5.0, 200, 9000.0, 146, 0, 20000, 0.3, cover("MILP", 3, 0.90), cover("g", 4, 0.96)
    )
    checks = siting.demo_checks(siting.PartThree(1, 2000, 3.0, 268, [wrong, short]))
    assert checks["recount demo 15 min with hubs: greedy no better than the optimum"] is False
    assert checks["recount demo 5 min without hubs reaches the target"] is False
    assert checks["recount demo 5 min without hubs"] is True


def test_demo_city_run_builds_the_city_and_compares_the_milp_with_greedy(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(SCRIPT), "--demo-city", "--quick", "--json", str(figures)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert "bench/siting.py part 1" not in run.stdout  # part 3 alone
    assert "part 3: set covering of 95% of demand on the demo city" in run.stdout
    data = json.loads(figures.read_text())
    assert set(data) == {"part3", "checks"}
    three = data["part3"]
    assert three["households"] == siting.QUICK_DEMO_HOUSEHOLDS
    assert three["grid_cells"] > 200
    cases = three["cases"]
    assert [(c["promise_minutes"], c["existing_hubs_included"]) for c in cases] == [
        (15.0, True),
        (15.0, False),
        (5.0, True),
        (5.0, False),
    ]
    for case in cases:
        assert case["candidate_spaces"] > 100
        assert case["existing_hubs"] == (4 if case["existing_hubs_included"] else 0)
        milp, greedy = case["milp"], case["greedy"]
        assert milp["status"] == "optimal"
        assert greedy["sites"] >= milp["sites"]
        for plan in (milp, greedy):
            assert plan["recount_share"] == pytest.approx(plan["covered_share"], abs=1e-9)
            assert plan["recount_share"] >= 0.95
    no_hubs = cases[1]
    assert no_hubs["milp"]["sites"] >= 1  # the district is not covered without a site
    assert all(data["checks"].values())

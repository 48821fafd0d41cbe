"""Smoke test of bench/dispatch.py: its --quick run as a user runs it (a subprocess).

Checks what the run reports about correctness (every order delivered by both strategies,
the same orders, a round that plans), never its timings or the targets it prints."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_quick_run_delivers_every_order_with_both_strategies_at_both_sizes(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    run = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "dispatch.py"), "--quick", "--scale", "--json", str(figures)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    assert "courier-km per delivered order" in run.stdout
    data = json.loads(figures.read_text())
    day = data["day"]
    for name in ("greedy", "optimised"):
        assert day[name]["orders"] == 300
        assert day[name]["delivered"] == 300
        assert day[name]["refused_trips"] == 0
    assert day["greedy"]["orders_per_trip"] == 1.0
    assert day["optimised"]["orders_per_trip"] > 1.0
    assert set(day["met"]) == {"km_reduction", "optimised_on_time", "greedy_on_time"}
    assert len(data["round"]["optimised"]["trips_stops"]) == 3
    assert all(n > 0 for n in data["round"]["optimised"]["trips_stops"])
    # The sampled rounds' solver iterations are recorded; greedy calls no solver.
    assert len(data["round"]["optimised"]["iterations"]) == 3
    assert all(n > 0 for n in data["round"]["optimised"]["iterations"])
    assert data["round"]["greedy"]["iterations"] == []
    # Scale: optimised at its small budget and greedy on the same day, both printed.
    scale = data["scale"]
    assert scale["budget"].startswith("max_iterations=5,")
    for figures_of in (scale["kpis"], scale["greedy"]["kpis"]):
        assert figures_of["orders"] == 2000
        assert figures_of["delivered"] == 2000
    assert scale["greedy"]["kpis"]["orders_per_trip"] == 1.0
    assert "greedy    delivered 2,000/2,000" in run.stdout

"""bench/solomon.py: its Solomon parser on small inline files, and runs as a user runs
them (subprocesses): --quick on C101, and an instance no plan can serve, whose infeasible
runs stay out of the means and miss the target. Checks what it reports, never timings."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "bench" / "solomon.py"

TINY = """TINY

VEHICLE
NUMBER     CAPACITY
  2         10

CUSTOMER
CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME

    0      0          0          0          0       1000          0
    1      30         40         3         10        900         5
    2      0          10         4          0        {due}         1
"""


def load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("solomon_bench", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


solomon = load()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def write(tmp_path: Path, text: str, name: str = "TINY.txt") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_read_solomon_reads_the_vehicles_the_depot_and_the_customers(tmp_path: Path) -> None:
    instance = solomon.read_solomon(write(tmp_path, TINY.format(due=500)))
    assert instance.name == "TINY"
    assert (instance.vehicles, instance.capacity) == (2, 10)
    assert instance.demand == [0, 3, 4]
    assert instance.ready == [0, 10, 0]
    assert instance.due == [1000, 900, 500]
    assert instance.service == [0, 5, 1]
    assert instance.distances[0, 1] == pytest.approx(50.0)
    assert instance.distances[1, 2] == pytest.approx(30 * 2**0.5)


def test_read_solomon_takes_windows_line_endings(tmp_path: Path) -> None:
    instance = solomon.read_solomon(write(tmp_path, TINY.format(due=500).replace("\n", "\r\n")))
    assert instance.demand == [0, 3, 4]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("just some text\n1 2 3\n", "no VEHICLE section"),
        (TINY.format(due=500).replace("  2         10", "  two       10"), "not a Solomon instance"),
        (TINY.format(due=500).replace("0          10         4", "0          10"), "not a Solomon instance"),
        (TINY.format(due="soon"), "not a Solomon instance"),
        ("\n".join(TINY.format(due=500).splitlines()[:-2]), "expected a depot row 0"),
        (TINY.format(due=500).replace("    0      0          0 ", "    7      0          0 "), "depot row 0"),
    ],
    ids=["no-vehicle-section", "vehicle-count", "short-row", "text-in-row", "depot-only", "no-depot-row"],
)
def test_read_solomon_refuses_a_malformed_file_clearly(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(solomon.BadInstance, match=message) as error:
        solomon.read_solomon(path)
    assert str(path) in str(error.value)


def test_the_mean_gap_counts_feasible_runs_only() -> None:
    assert solomon.mean_gap([(110.0, True), (500.0, False), (120.0, True)], 100.0) == pytest.approx(15.0)
    assert solomon.mean_gap([(90.0, False)], 100.0) is None


def test_a_malformed_file_exits_2_with_the_reason(tmp_path: Path) -> None:
    result = run(str(write(tmp_path, "nothing here\n")), "--bks", "1")
    assert result.returncode == 2
    assert "no VEHICLE section" in result.stderr


def test_quick_run_scores_feasible_routes_against_the_best_known(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    # Without --strict: whether 1 s reaches the gap target depends on the machine's load.
    result = run("--quick", "--json", str(figures))
    assert result.returncode == 0, result.stdout + result.stderr
    assert (
        "infeasible runs (every one misses the target): project 0 of 1, PyVRP direct 0 of 1" in result.stdout
    )
    data = json.loads(figures.read_text())
    assert data["seeds"] == [1]
    (row,) = data["instances"]
    assert row["instance"] == "C101"
    assert row["bks"] == 828.94
    assert row["project_feasible_runs"] == row["direct_feasible_runs"] == [True]
    assert data["project_infeasible_runs"] == data["direct_infeasible_runs"] == 0
    for solver in ("project", "direct"):
        (distance,) = row[f"{solver}_distances"]
        # 828.94 is C101's proven optimum rounded to cents: a feasible plan is no shorter.
        assert distance >= 828.93
        assert row[f"{solver}_gap"] == pytest.approx(100 * (distance - 828.94) / 828.94)
        assert data[f"{solver}_mean_gap"] == pytest.approx(row[f"{solver}_gap"])
    assert data["difference_pp"] == pytest.approx(data["project_mean_gap"] - data["direct_mean_gap"])
    assert data["met"]["all_runs_feasible"] is True


def test_infeasible_runs_stay_out_of_the_means_and_miss_the_target(tmp_path: Path) -> None:
    # Customer 2 is 10 away from the depot but due by 5: no plan serves it in time.
    path = write(tmp_path, TINY.format(due=5))
    figures = tmp_path / "figures.json"
    result = run(
        str(path), "--bks", "120", "--seconds", "0.2", "--seeds", "1,2", "--strict", "--json", str(figures)
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "project 2 of 2, PyVRP direct 2 of 2" in result.stdout
    assert "MISSED" in result.stdout
    data = json.loads(figures.read_text())
    assert data["project_infeasible_runs"] == data["direct_infeasible_runs"] == 2
    assert data["project_mean_gap"] is None
    assert data["direct_mean_gap"] is None
    assert data["met"]["all_runs_feasible"] is False
    (row,) = data["instances"]
    assert row["project_gap"] is None
    assert row["project_feasible_runs"] == [False, False]

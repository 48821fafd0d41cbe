"""`hyperlocal simulate`: the KPI table side by side, replays, and clear errors."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

ORDERS = """id,placed_at,pickup_x,pickup_y,dropoff_x,dropoff_y
a,0,0,0,1000,0
b,1,0,0,0,1500
c,2,0,0,-800,300
"""
COURIERS = """id,start_x,start_y,on_at,off_at
k1,0,0,0,120
k2,0,0,0,120
"""


def run(*args: str) -> str:
    out = StringIO()
    call_command("simulate", *args, stdout=out)
    return out.getvalue()


def test_synthetic_day_compared_with_greedy(tmp_path: Path) -> None:
    report = tmp_path / "day.html"
    text = run(
        "--synthetic", "--orders", "40", "--hours", "1", "--hubs", "2", "--iterations", "20",
        "--time-limit", "0.2", "--report", str(report),
    )  # fmt: skip
    assert "optimised" in text
    assert "greedy" in text
    assert "courier-km per delivered order" in text
    assert "on time (against the promise)" in text
    assert report.read_text(encoding="utf-8").startswith("<!doctype html>")


def test_replay_from_planar_files(tmp_path: Path) -> None:
    (tmp_path / "o.csv").write_text(ORDERS, encoding="utf-8")
    (tmp_path / "c.csv").write_text(COURIERS, encoding="utf-8")
    text = run(
        "--orders-csv", str(tmp_path / "o.csv"), "--couriers-csv", str(tmp_path / "c.csv"),
        "--speed", "200", "--strategy", "greedy",
    )  # fmt: skip
    assert "replay: 3 orders, 2 couriers" in text
    row = next(line for line in text.splitlines() if "│ delivered" in line)
    assert row.split("│")[2].strip() == "3"


def test_bad_replay_is_a_clear_error_and_writes_nothing(tmp_path: Path) -> None:
    (tmp_path / "o.csv").write_text(ORDERS.replace("b,1,", "b,later,"), encoding="utf-8")
    (tmp_path / "c.csv").write_text(COURIERS, encoding="utf-8")
    report = tmp_path / "out.html"
    with pytest.raises(CommandError, match="orders, line 3, field placed_at"):
        run(
            "--orders-csv", str(tmp_path / "o.csv"), "--couriers-csv", str(tmp_path / "c.csv"),
            "--speed", "200", "--report", str(report),
        )  # fmt: skip
    assert not report.exists()


def test_options_checked() -> None:
    with pytest.raises(CommandError, match="--orders must be at least 1"):
        run("--synthetic", "--orders", "0")
    with pytest.raises(CommandError, match="needs both"):
        run("--orders-csv", "x.csv")


@pytest.mark.django_db
def test_db_mode_without_the_demo_city_says_so() -> None:
    with pytest.raises(CommandError, match="demo city is not built"):
        run("--db", "--orders", "3", "--hours", "0.2")

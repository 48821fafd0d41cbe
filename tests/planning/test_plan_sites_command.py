"""`hyperlocal plan-sites`: runs a plan here, prints the sites and the metrics, exports and
saves it on request, and ends bad input with the planner's message (no traceback)."""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from hyperlocal import cli
from hyperlocal.planning.models import SitePlan
from hyperlocal.regions.models import Region
from tests.planning.plan_helpers import SmallWorld, small_world

ARGS = ["--region", "11440", "--demand", "population", "--time-limit", "20"]


@pytest.fixture
def world(mapo: Region) -> SmallWorld:
    return small_world()


def test_prints_the_sites_and_metrics(world: SmallWorld) -> None:
    out = StringIO()
    call_command("plan_sites", *ARGS, "--p", "2", "--curve", "2", stdout=out)
    text = out.getvalue()
    assert "mclp: 2 site(s)" in text
    chosen = [s.name for s in world.spaces if s.name in text]
    assert len(chosen) == 2
    assert "coverage" in text
    assert "100.0%" in text  # every cell lies within 15 minutes by bike of any space here
    assert "ride time p50 / p90" in text
    assert "won per household the new sites serve" in text
    assert "optimal" in text
    assert "p = 1..N" in text
    assert not SitePlan.objects.exists()  # not saved unless asked


def test_exports_and_saves(world: SmallWorld, tmp_path: Path) -> None:
    out = StringIO()
    sites_csv = tmp_path / "sites.csv"
    sites_geojson = tmp_path / "sites.geojson"
    call_command(
        "plan_sites",
        *ARGS,
        "--p",
        "1",
        "--mode",
        "walk",
        "--promise",
        "12",
        "--csv",
        str(sites_csv),
        "--geojson",
        str(sites_geojson),
        "--save",
        stdout=out,
    )
    plan = SitePlan.objects.get()
    assert plan.status == SitePlan.Status.DONE
    assert plan.parameters["mode"] == "walk"
    assert plan.parameters["promise_minutes"] == 12
    assert f"saved as site plan {plan.pk}" in out.getvalue()
    assert plan.result is not None
    rows = list(csv.DictReader(sites_csv.open(encoding="utf-8")))
    assert [r["key"] for r in rows] == [s["key"] for s in plan.result["sites"]]
    collection = json.loads(sites_geojson.read_text(encoding="utf-8"))
    assert collection["type"] == "FeatureCollection"
    assert f"wrote {sites_csv}" in out.getvalue()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--p", "0"], "p must be"),
        (["--promise", "-3"], "promise_minutes"),
        (["--model", "magic"], "model must be one of"),
        (["--region", "99999"], "99999"),
        (["--p", "9"], ""),  # more sites than candidate spaces
        (["--demand", "orders"], "order"),  # no orders yet
    ],
)
def test_bad_input_is_a_command_error(world: SmallWorld, args: list[str], message: str) -> None:
    with pytest.raises(CommandError) as exc:
        call_command("plan_sites", *ARGS, *args, stdout=StringIO())
    assert message in str(exc.value)
    assert str(exc.value)
    assert not SitePlan.objects.exists()


def test_a_failed_saved_plan_is_a_command_error_and_stays_failed(world: SmallWorld) -> None:
    with pytest.raises(CommandError, match="failed"):
        call_command("plan_sites", *ARGS, "--demand", "orders", "--save", stdout=StringIO())
    plan = SitePlan.objects.get()
    assert plan.status == SitePlan.Status.FAILED
    assert plan.error


def test_an_unwritable_export_path_is_a_command_error(world: SmallWorld, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="cannot write"):
        call_command(
            "plan_sites", *ARGS, "--p", "1", "--csv", str(tmp_path / "no" / "such.csv"), stdout=StringIO()
        )


def test_the_console_script_takes_the_hyphenated_name(monkeypatch: pytest.MonkeyPatch) -> None:
    called: list[list[str]] = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", called.append)
    cli.main(["plan-sites", "--p", "2"])
    cli.main(["help", "plan-sites"])
    cli.main(["--version"])
    assert called == [
        ["hyperlocal", "plan_sites", "--p", "2"],
        ["hyperlocal", "help", "plan_sites"],
        ["hyperlocal", "--version"],
    ]


def test_bad_input_exits_non_zero_without_a_traceback(tmp_path: Path) -> None:
    """The real console script, in a process of its own on a fresh database."""
    env = {
        "SECRET_KEY": "tests-only",
        "DEBUG": "1",
        "HYPERLOCAL_VAR_DIR": str(tmp_path),
        "PATH": "/usr/bin:/bin",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}",
    }
    script = [sys.executable, "-c", "from hyperlocal.cli import main; main()"]
    migrated = subprocess.run(
        [*script, "migrate", "-v", "0"], env=env, capture_output=True, timeout=300, check=False
    )
    assert migrated.returncode == 0, migrated.stderr
    done = subprocess.run(
        [*script, "plan-sites", "--region", "99999"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode != 0
    assert "CommandError" in done.stderr
    assert "99999" in done.stderr
    assert "Traceback" not in done.stderr


def test_capacities_are_on_unless_turned_off(world: SmallWorld) -> None:
    call_command("plan_sites", *ARGS, "--p", "1", "--save", stdout=StringIO())
    call_command("plan_sites", *ARGS, "--p", "1", "--no-capacitated", "--save", stdout=StringIO())
    first, second = SitePlan.objects.order_by("pk")
    assert first.parameters["capacitated"] is True
    assert second.parameters["capacitated"] is False

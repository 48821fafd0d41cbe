"""Smoke test of bench/checkout.py: its --quick run on PostgreSQL sells nothing twice.

It runs the script as a user would (a subprocess, its own scratch database next to the
DATABASE_URL one) and checks the correctness figures it reports, not its timings."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
URL = os.environ.get("DATABASE_URL", "")

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not URL.startswith(("postgres://", "postgresql://")), reason="needs PostgreSQL"),
]


def scratch_url(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/hyperlocal_bench_smoke", parts.query, parts.fragment))


def test_quick_run_reports_zero_oversell(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "checkout.py"),
            "--quick",
            "--database-url",
            scratch_url(URL),
            "--json",
            str(figures),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    data = json.loads(figures.read_text())
    assert data["correct"] is True
    phases = {p["phase"]: p for p in data["phases"]}
    assert set(phases) == {"service layer", "HTTP", "raw SQL"}
    for phase in phases.values():
        assert phase["oversell"] == 0, phase
        assert phase["consistent"] is True, phase
        assert phase["ok"] > 0, phase
    # The hot products run out during the run: some orders are refused for want of stock.
    assert any(p["failures"].get("out_of_stock", 0) > 0 for p in phases.values())
    assert data["queries_per_order"]["max"] > 0
    assert "oversell 0" in run.stdout

"""Smoke test of bench/ledger.py: its --quick run on PostgreSQL keeps the ledger's invariants.

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
    return urlunsplit(
        (parts.scheme, parts.netloc, "/hyperlocal_ledger_bench_smoke", parts.query, parts.fragment)
    )


def test_quick_run_keeps_the_invariants(tmp_path: Path) -> None:
    figures = tmp_path / "figures.json"
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "bench" / "ledger.py"),
            "--quick",
            "--database-url",
            scratch_url(URL),
            "--json",
            str(figures),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    data = json.loads(figures.read_text())
    assert data["correct"] is True
    phases = {p["phase"]: p for p in data["phases"]}
    assert set(phases) == {"service, savepoint=False", "service, savepoints", "raw SQL"}
    posted = {p["posted_won"] for p in phases.values()}
    assert len(posted) == 1  # every phase moved the same won (same plan, no refusals)
    for phase in phases.values():
        assert phase["invariants_hold"] is True, phase
        assert phase["check_ledger_problems"] == 0, phase
        assert phase["ok"] == 4 * 40, phase
        assert phase["cashback_won"] > 0, phase
    # One statement per ledger call on the service path, savepoints apart.
    for name in ("service, savepoint=False", "service, savepoints"):
        count = data["statements_per_payment"][name]
        assert count["per_call"] == {"hold": 1.0, "post": 1.0, "cashback": 1.0}
        assert 2 <= count["mean"] <= 3
    assert "invariants hold after every phase" in run.stdout

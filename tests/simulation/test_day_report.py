"""The HTML report: one self-contained file (opens offline)."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from hyperlocal.optim.dispatch import GreedyDispatch
from hyperlocal.simulation.day import DayPlan, run_day, synthetic_day
from hyperlocal.simulation.day.report import render_report, write_report
from hyperlocal.simulation.day.synthetic import SEOUL


def test_report_is_self_contained_and_shows_the_day(tmp_path: Path) -> None:
    plan = DayPlan(orders=40, hubs=2, hours=1.0, homes=200, city="disc", seed=3)
    scenario = synthetic_day(plan, date=datetime(2025, 6, 2, tzinfo=SEOUL))
    result = run_day(scenario, GreedyDispatch())
    html = render_report(scenario, [result], title="Tiny <day>")
    path = tmp_path / "day.html"
    write_report(path, html)
    text = path.read_text(encoding="utf-8")
    assert "http://" not in text
    assert "https://" not in text
    assert not re.search(r"<(script|link|img|iframe)\b", text)
    assert "url(" not in text
    assert "@import" not in text
    assert text.count("<svg") == 2  # the chart and one map
    assert "Tiny &lt;day&gt;" in text  # titles are escaped
    assert text.count("<polyline") >= len(result.trips)  # every trip drawn
    assert list(tmp_path.iterdir()) == [path]  # no temporary file left behind

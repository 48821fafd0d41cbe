"""A one-file HTML report of a simulated day: KPIs side by side, a chart of the day and a
map of routes, hubs and drop-offs, all as inline SVG (it opens offline: no scripts, no
fonts, no tiles from elsewhere)."""

from __future__ import annotations

import math
import os
import tempfile
from collections.abc import Sequence
from html import escape
from pathlib import Path

from hyperlocal.geo import Point

from .kpis import Kpis, kpis
from .result import DayResult
from .scenario import Scenario

__all__ = ["BUCKET_MINUTES", "render_report", "timeline", "write_report"]

BUCKET_MINUTES = 15
COLOURS = ("#1f6feb", "#d1242f", "#1a7f37", "#9a6700")
MAX_ROUTES = 1500  # routes drawn on the map (the rest are counted); keeps the file light


def timeline(result: DayResult, buckets: int) -> dict[str, list[float]]:
    """Per 15-minute bucket: orders placed, on-time share of those placed, couriers out."""
    placed = [0.0] * buckets
    on_time = [0.0] * buckets
    for d in result.deliveries:
        b = min(buckets - 1, max(0, int(d.placed_at // BUCKET_MINUTES)))
        placed[b] += 1
        on_time[b] += d.on_time
    busy = [0.0] * buckets
    for trip in result.trips:
        for b in range(buckets):
            mid = (b + 0.5) * BUCKET_MINUTES
            if trip.depart_at <= mid < trip.return_at:
                busy[b] += 1
    share = [on_time[b] / placed[b] if placed[b] else math.nan for b in range(buckets)]
    return {"delivered_by_placed": placed, "on_time": share, "busy": busy}


def _polyline(values: Sequence[float], x0: float, dx: float, y0: float, scale: float) -> str:
    return " ".join(
        f"{x0 + i * dx:.1f},{y0 - v * scale:.1f}" for i, v in enumerate(values) if math.isfinite(v)
    )


def _chart(results: Sequence[DayResult], scenario: Scenario) -> str:
    end = max([o.placed_at for o in scenario.orders] + [60.0])
    buckets = math.ceil(end / BUCKET_MINUTES) + 1
    orders = [0] * buckets
    for o in scenario.orders:
        orders[min(buckets - 1, int(o.placed_at // BUCKET_MINUTES))] += 1
    lines = [timeline(r, buckets) for r in results]
    width, height, left, top, panel = 900, 420, 50, 20, 110
    dx = (width - left - 20) / buckets
    peak = max([*orders, 1])
    busy_peak = max([max(t["busy"]) for t in lines] + [1.0])
    parts = [f'<svg viewBox="0 0 {width} {height}" role="img" class="chart">']
    parts.append(
        f'<text x="{left}" y="{top - 5}" class="t">orders placed per {BUCKET_MINUTES} min (max {peak})</text>'
    )
    base = top + panel
    for i, n in enumerate(orders):
        h = n / peak * (panel - 10)
        parts.append(
            f'<rect x="{left + i * dx:.1f}" y="{base - h:.1f}" width="{dx * 0.9:.1f}" '
            f'height="{h:.1f}" fill="#8c959f"/>'
        )
    base2 = base + 30 + panel
    parts.append(f'<text x="{left}" y="{base + 25}" class="t">on time (by time placed), 80-100 %</text>')
    for k, t in enumerate(lines):
        # 80-100 % fills the panel; below 80 % sits on its floor.
        scaled = [max(0.0, (v - 0.8) / 0.2) if math.isfinite(v) else math.nan for v in t["on_time"]]
        parts.append(
            f'<polyline fill="none" stroke="{COLOURS[k % 4]}" stroke-width="2" '
            f'points="{_polyline(scaled, left + dx / 2, dx, base2, panel - 10)}"/>'
        )
    base3 = base2 + 30 + panel
    parts.append(
        f'<text x="{left}" y="{base2 + 25}" class="t">couriers out on a trip (max {busy_peak:.0f})</text>'
    )
    for k, t in enumerate(lines):
        parts.append(
            f'<polyline fill="none" stroke="{COLOURS[k % 4]}" stroke-width="2" '
            f'points="{_polyline(t["busy"], left + dx / 2, dx, base3, (panel - 10) / busy_peak)}"/>'
        )
    for hour in range(0, int(end // 60) + 1):
        x = left + hour * 60 / BUCKET_MINUTES * dx
        label = scenario.at(hour * 60).strftime("%H:%M")
        parts.append(f'<text x="{x:.1f}" y="{height - 2}" class="s">{label}</text>')
    for k, r in enumerate(results):
        parts.append(
            f'<text x="{width - 260 + 90 * k}" y="{top - 5}" class="t" fill="{COLOURS[k % 4]}">'
            f"{escape(r.strategy)}</text>"
        )
    parts.append("</svg>")
    return "\n".join(parts)


def _map(result: DayResult, scenario: Scenario) -> str:
    points: list[Point] = [h.point for h in scenario.hubs] + [o.drop_off for o in scenario.orders]
    if not points:
        return ""
    lat0 = sum(p.lat for p in points) / len(points)
    k = math.cos(math.radians(lat0))
    xs = [p.lng * k for p in points]
    ys = [p.lat for p in points]
    x_min, x_max, y_min, y_max = min(xs), max(xs), min(ys), max(ys)
    span = max(x_max - x_min, y_max - y_min, 1e-9)
    size, pad = 700, 20

    def xy(p: Point) -> str:
        return f"{pad + (p.lng * k - x_min) / span * size:.1f},{pad + (y_max - p.lat) / span * size:.1f}"

    late = {d.order_id for d in result.deliveries if not d.on_time} | set(result.undelivered)
    parts = [f'<svg viewBox="0 0 {size + 2 * pad} {size + 2 * pad}" class="map">']
    for n, trip in enumerate(result.trips[:MAX_ROUTES]):
        colour = COLOURS[n % 4]
        path = " ".join(xy(p) for p in trip.path)
        parts.append(
            f'<polyline fill="none" stroke="{colour}" stroke-opacity="0.35" stroke-width="1" '
            f'points="{path}"/>'
        )
    for o in scenario.orders:
        cx, cy = xy(o.drop_off).split(",")
        fill = "#d1242f" if o.id in late else "#1a7f37"
        parts.append(f'<circle cx="{cx}" cy="{cy}" r="1.6" fill="{fill}"/>')
    for h in scenario.hubs:
        hx, hy = (float(v) for v in xy(h.point).split(","))
        parts.append(f'<rect x="{hx - 6:.1f}" y="{hy - 6:.1f}" width="12" height="12" fill="#24292f"/>')
        parts.append(f'<text x="{hx + 8:.1f}" y="{hy - 8:.1f}" class="s">{escape(h.name or h.id)}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


ROWS: tuple[tuple[str, str, str], ...] = (
    ("orders", "orders", "{:,}"),
    ("delivered", "delivered", "{:,}"),
    ("undelivered", "undelivered", "{:,}"),
    ("on time (against the promise)", "on_time_rate", "{:.1%}"),
    ("click-to-door p50 (min)", "click_to_door_p50", "{:.1f}"),
    ("click-to-door p90 (min)", "click_to_door_p90", "{:.1f}"),
    ("orders per courier-hour", "orders_per_courier_hour", "{:.2f}"),
    ("courier-km per delivered order", "km_per_delivered", "{:.3f}"),
    ("courier-km", "courier_km", "{:,.0f}"),
    ("courier utilisation", "utilisation", "{:.0%}"),
    ("orders per trip", "orders_per_trip", "{:.2f}"),
    ("dispatch rounds run", "rounds", "{:,}"),
    ("time per round, mean (ms)", "round_mean_s", "{:.1f}"),
    ("time per round, p95 (ms)", "round_p95_s", "{:.1f}"),
    ("trips refused by the simulator", "refused_trips", "{:,}"),
)


def kpi_cells(k: Kpis, attribute: str, fmt: str) -> str:
    value = getattr(k, attribute)
    if attribute.startswith("round_") and attribute.endswith("_s"):
        value *= 1000
    if isinstance(value, float) and not math.isfinite(value):
        return "-"
    return fmt.format(value)


def render_report(scenario: Scenario, results: Sequence[DayResult], *, title: str = "A simulated day") -> str:
    figures = [kpis(r) for r in results]
    head = "".join(f"<th>{escape(r.strategy)}</th>" for r in results)
    rows = "\n".join(
        f"<tr><td>{escape(label)}</td>" + "".join(f"<td>{kpi_cells(k, a, f)}</td>" for k in figures) + "</tr>"
        for label, a, f in ROWS
    )
    # Synthetic days name their hubs already ("..., 4 hubs, 12 h"); replays do not.
    hubs = "" if " hubs" in scenario.name else f"{len(scenario.hubs)} hubs, "
    maps = "\n".join(
        f"<section><h2>Routes: {escape(r.strategy)}</h2>"
        f"<p>{min(len(r.trips), MAX_ROUTES):,} of {len(r.trips):,} trips drawn; hubs as squares, "
        f"drop-offs green (on time) or red (late or undelivered).</p>{_map(r, scenario)}</section>"
        for r in results
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>
<!-- Inline SVG in HTML needs no namespace declaration: the file holds no web address. -->
<style>
body{{font-family:system-ui,sans-serif;margin:2em;color:#24292f;max-width:960px}}
table{{border-collapse:collapse}} td,th{{padding:.25em .8em;border-bottom:1px solid #d0d7de;text-align:right}}
td:first-child{{text-align:left}} svg{{width:100%;height:auto;background:#f6f8fa}}
.t{{font-size:13px}} .s{{font-size:11px}}
</style></head><body>
<h1>{escape(title)}</h1>
<p>{escape(scenario.name)}; {hubs}{len(scenario.couriers):,} courier shifts; starts
{scenario.start.isoformat(timespec="minutes")}. The same orders for every strategy.</p>
<table><thead><tr><th></th>{head}</tr></thead><tbody>
{rows}
</tbody></table>
<h2>The day</h2>
{_chart(results, scenario)}
{maps}
</body></html>
"""


def write_report(path: Path, html: str) -> None:
    """Write atomically: a half-written report never replaces a good one."""
    path = Path(path)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent or Path("."), prefix=".report-", suffix=".html")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(html)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise

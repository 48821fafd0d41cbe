"""What the planner pages draw from a plan's RESULT JSON: the map's payload (covered cells
outlined per site in the site's colour, uncovered demand in amber, new sites and existing hubs
as distinct markers), the status in words, and the p-curve as a small server-rendered SVG."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from hyperlocal.regions.models import Region
from hyperlocal.web.maps import base_payload, outline

# Distinct colours for up to ten sites, then again from the first.
PALETTE = (
    "#2563eb", "#dc2626", "#16a34a", "#9333ea", "#ea580c",
    "#0891b2", "#ca8a04", "#db2777", "#4f46e5", "#65a30d",
)  # fmt: skip
EXISTING_COLOUR = "#334155"
UNCOVERED_COLOUR = "#f59e0b"  # amber: the gap a new site should close stands out


def colour(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def site_rows(result: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The plan's sites with a colour and a number each (new sites first as the result lists
    them), as the table and the map show them."""
    rows = []
    for n, site in enumerate(result.get("sites") or []):
        existing = site.get("kind") == "existing"
        rows.append({**site, "n": n + 1, "existing": existing, "colour": colour(n)})
    return rows


def status_words(result: Mapping[str, Any]) -> tuple[str, str]:
    """(a css class, the status in words) for a done plan."""
    status = str(result.get("status", ""))
    gap = result.get("gap")
    if status == "optimal":
        return "ok", pgettext("plan status", "optimal")
    if status == "time_limit_with_plan":
        if isinstance(gap, int | float):
            return "warn", _("best plan found in the time limit, within %(gap)s %% of the optimum") % {
                "gap": f"{gap * 100:.2f}"
            }
        return "warn", _("best plan found in the time limit")
    if status == "time_limit_no_plan":
        return "status-closed", _("no plan found within the time limit")
    if status == "infeasible":
        return "status-closed", pgettext("plan status", "infeasible")
    if status == "heuristic":
        return "warn", _("heuristic plan (not proven optimal)")
    return "", status


def plan_map(
    district: Region, result: Mapping[str, Any], sites: Sequence[Mapping[str, Any]], *, open_url: str = ""
) -> dict[str, Any]:
    """The map's JSON: `open_url` has "0" where a new site's space id goes (platform admins)."""
    payload = base_payload(district)
    by_site: dict[str, list[str]] = defaultdict(list)
    uncovered: list[str] = []
    for cell in result.get("cells") or []:
        if cell.get("site"):
            by_site[str(cell["site"])].append(str(cell["cell"]))
        elif (cell.get("orders_per_day") or 0) > 0:
            uncovered.append(str(cell["cell"]))
    entries = []
    for site in sites:
        cells = by_site.get(str(site["key"]), [])
        entry = {
            "key": site["key"],
            "n": site["n"],
            "name": site["name"],
            "address": site.get("address") or "",
            "lat": site["lat"],
            "lng": site["lng"],
            "existing": site["existing"],
            "colour": site["colour"],
            "area": outline(cells) if cells else None,
            "facts": _("%(orders)s orders a day · %(cells)s cells")
            % {"orders": f"{site.get('orders_per_day') or 0:.1f}", "cells": site.get("cells") or 0},
            "url": "",
            "link": "",
        }
        if site["existing"] and site.get("hub_slug"):
            entry["url"] = reverse("web:hub", args=[site["hub_slug"]])
            entry["link"] = _("Hub page")
        elif not site["existing"] and open_url and site.get("space_id") is not None:
            entry["url"] = open_url.replace("/0/", f"/{site['space_id']}/")
            entry["link"] = _("Open this site")
        entries.append(entry)
    payload["sites"] = entries
    payload["uncovered"] = outline(uncovered) if uncovered else None
    payload["colours"] = {"uncovered": UNCOVERED_COLOUR, "existing": EXISTING_COLOUR}
    payload["labels"].update(
        {"new": _("new site"), "existing": _("existing hub"), "uncovered": _("demand not covered")}
    )
    return payload


# -- the p-curve --------------------------------------------------------------------------------

WIDTH, HEIGHT = 320, 170
LEFT, RIGHT, TOP, BOTTOM = 36, 10, 10, 20


def curve_svg(curve: Sequence[Mapping[str, Any]]) -> dict[str, Any] | None:
    """Coverage % against p as SVG coordinates: the line, its dots and the axes' ticks."""
    points = sorted((int(row["p"]), float(row.get("coverage_share") or 0) * 100) for row in curve)
    if not points:
        return None
    most = max(p for p, _share in points)
    least = min(p for p, _share in points)
    span = max(most - least, 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(p: int) -> float:
        return round(LEFT + (p - least) / span * plot_w, 1)

    def y(pct: float) -> float:
        return round(TOP + (100 - min(max(pct, 0), 100)) / 100 * plot_h, 1)

    dots = [{"x": x(p), "y": y(pct), "p": p, "pct": f"{pct:.1f}"} for p, pct in points]
    step = max(1, round(span / 8))
    x_ticks = [{"x": x(p), "label": p} for p in range(least, most + 1, step)]
    y_ticks = [{"y": y(v), "label": v} for v in (0, 25, 50, 75, 100)]
    return {
        "width": WIDTH,
        "height": HEIGHT,
        "line": " ".join(f"{d['x']},{d['y']}" for d in dots),
        "dots": dots,
        "x_ticks": x_ticks,
        "y_ticks": y_ticks,
        "left": LEFT,
        "right": WIDTH - RIGHT,
        "top": TOP,
        "bottom": HEIGHT - BOTTOM,
    }


def curve_rows(curve: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The comparison table's rows: coverage in percent and the status in words."""
    rows = []
    for row in sorted(curve, key=lambda r: int(r["p"])):
        _css, words = status_words({"status": row.get("status"), "gap": row.get("gap")})
        rows.append(
            {**row, "coverage_pct": float(row.get("coverage_share") or 0) * 100, "status_text": words}
        )
    return rows


def model_name(model: str) -> str:
    names = {
        "mclp": pgettext("siting model", "maximal covering"),
        "set_cover": pgettext("siting model", "set covering"),
        "p_median": pgettext("siting model", "p-median"),
    }
    return names.get(model, model)


def parameters_summary(params: Mapping[str, Any]) -> str:
    """One line of what a plan asked: "maximal covering, p = 3, 15 min by bicycle"."""
    model = str(params.get("model", ""))
    parts = [model_name(model)]
    if model == "set_cover":
        target = params.get("target")
        if isinstance(target, int | float):
            parts.append(_("%(pct)s %% of demand") % {"pct": f"{target * 100:g}"})
    elif params.get("p") is not None:
        parts.append(f"p = {params['p']}")
    minutes = params.get("promise_minutes")
    if isinstance(minutes, int | float):
        parts.append(
            _("%(minutes)s min, %(mode)s")
            % {"minutes": f"{minutes:g}", "mode": mode_name(str(params.get("mode")))}
        )
    return ", ".join(parts)


def mode_name(mode: str) -> str:
    names = {
        "walk": pgettext("courier mode", "on foot"),
        "bike": pgettext("courier mode", "bicycle"),
        "scooter": pgettext("courier mode", "scooter"),
        "car": pgettext("courier mode", "car"),
    }
    return names.get(mode, mode)

"""A synthetic city for simulated days: homes and hub sites, without the database.

``mapo_city`` samples homes in Mapo-gu's real dongs (the package's public boundary and
household data, as the demo city does) and puts hubs at k-means centres of the homes;
``disc_city`` is a small round town for tests. Both are seeded and pure.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt

from hyperlocal.geo import Point, sample_points_in_geometry

__all__ = ["SyntheticCity", "disc_city", "hub_sites", "mapo_city"]

KMEANS_ROUNDS = 25
TOWN_CENTRE = Point(37.5563, 126.9236)  # Mapo-gu, by Hongik University station


@dataclass(frozen=True)
class SyntheticCity:
    name: str
    homes: tuple[Point, ...]
    hub_sites: tuple[Point, ...]


def _xy(points: Sequence[Point], lat0: float) -> npt.NDArray[np.float64]:
    """Local planar metres (equirectangular): fine at district scale."""
    lat = np.array([p.lat for p in points])
    lng = np.array([p.lng for p in points])
    return np.column_stack([lng * 111_195.0 * math.cos(math.radians(lat0)), lat * 111_195.0])


def hub_sites(homes: Sequence[Point], k: int, rng: np.random.Generator) -> tuple[Point, ...]:
    """k hub sites: k-means centres of the homes, snapped to the nearest home (a hub stands
    in a building, not in the middle of a block), seeded by farthest-point picks."""
    if not 0 < k <= len(homes):
        raise ValueError(f"need between 1 and {len(homes)} hubs, got {k}")
    lat0 = float(np.mean([p.lat for p in homes]))
    xy = _xy(homes, lat0)
    chosen = [xy[int(rng.integers(len(xy)))]]
    for _ in range(1, k):
        d = np.min([np.sum((xy - c) ** 2, axis=1) for c in chosen], axis=0)
        chosen.append(xy[int(np.argmax(d))])
    centres = np.array(chosen)
    for _ in range(KMEANS_ROUNDS):
        label = np.argmin(((xy[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2), axis=1)
        centres = np.array(
            [xy[label == j].mean(axis=0) if np.any(label == j) else centres[j] for j in range(k)]
        )
    nearest = [int(np.argmin(((xy - c) ** 2).sum(axis=1))) for c in centres]
    # West to east, so that hub names come out in a stable order.
    return tuple(sorted((homes[i] for i in nearest), key=lambda p: p.lng))


def _allocate(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` in proportion to ``weights`` (largest remainders)."""
    quotas = [total * w / sum(weights) for w in weights]
    counts = [int(q) for q in quotas]
    for i in sorted(range(len(weights)), key=lambda i: counts[i] - quotas[i])[: total - sum(counts)]:
        counts[i] += 1
    return counts


def mapo_city(
    homes: int,
    hubs: int,
    rng: np.random.Generator,
    accept: Callable[[Point], bool] | None = None,
) -> SyntheticCity:
    """Homes in Mapo-gu's dongs in proportion to their registered households (June 2024);
    ``accept`` may veto points (the demo's river band, ``simulation.demo.river.on_land``)."""
    data = resources.files("hyperlocal.regions") / "data" / "mapo"
    shapes = json.loads((data / "dongs.geojson").read_text(encoding="utf-8"))
    stats = {
        row["adm_code"]: int(row["households"] or 0)
        for row in csv.DictReader(io.StringIO((data / "dongs.csv").read_text(encoding="utf-8")))
    }
    features = sorted(shapes["features"], key=lambda f: f["properties"]["adm_cd2"])
    counts = _allocate(homes, [stats.get(f["properties"]["adm_cd2"], 0) for f in features])
    points: list[Point] = []
    for feature, n in zip(features, counts, strict=True):
        points += sample_points_in_geometry(
            feature["geometry"], n, rng, accept=accept, max_tries=400 * n + 1000
        )
    return SyntheticCity("Mapo-gu", tuple(points), hub_sites(points, hubs, rng))


def disc_city(
    homes: int,
    hubs: int,
    rng: np.random.Generator,
    *,
    centre: Point = TOWN_CENTRE,
    radius_m: float = 2500.0,
) -> SyntheticCity:
    """Homes uniform in a disc around ``centre`` (a small test town)."""
    r = radius_m * np.sqrt(rng.random(homes))
    angle = 2 * math.pi * rng.random(homes)
    dlat = r * np.sin(angle) / 111_195.0
    dlng = r * np.cos(angle) / (111_195.0 * math.cos(math.radians(centre.lat)))
    points = tuple(
        Point(centre.lat + float(a), centre.lng + float(b)) for a, b in zip(dlat, dlng, strict=True)
    )
    return SyntheticCity("disc town", points, hub_sites(points, hubs, rng))

"""Demo households: sampled inside each dong in proportion to its registered households."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial

import numpy as np
import numpy.typing as npt
from django.conf import settings

from hyperlocal.accounts.models import Household
from hyperlocal.geo import Point, cell_of, sample_points_in_geometry
from hyperlocal.simulation.demo.city import City, Dong

SOURCE = "demo"
BATCH = 2000
# People per household, 1 to 4: Mapo has many one-person households (registered households
# average 2.0 people here: 363,029 people in 181,651 households, June 2024).
SIZE_PROBABILITIES = (0.46, 0.25, 0.16, 0.13)
# Rejection sampling gives up after this many draws per wanted point (the bounding box of
# a riverside dong is mostly river and other dongs; a few percent of draws land well).
TRIES_PER_POINT = 200


@dataclass(frozen=True)
class Homes:
    """Where the demo households live, in creation order (for placing spaces and hubs)."""

    lat: npt.NDArray[np.float64]
    lng: npt.NDArray[np.float64]
    region_id: npt.NDArray[np.int64]

    def __len__(self) -> int:
        return len(self.lat)


def allocate(total: int, weights: Sequence[float]) -> list[int]:
    """Split `total` in proportion to `weights` (largest remainders), summing exactly to total."""
    if total < 0:
        raise ValueError(f"total must not be negative, got {total}")
    weight_sum = sum(weights)
    if weight_sum <= 0:
        raise ValueError("weights must add up to more than zero")
    quotas = [total * w / weight_sum for w in weights]
    counts = [int(q) for q in quotas]
    by_remainder = sorted(range(len(weights)), key=lambda i: (counts[i] - quotas[i], i))
    for i in by_remainder[: total - sum(counts)]:
        counts[i] += 1
    return counts


def external_id(n: int) -> str:
    return f"demo-{n:06d}"


def sample_homes(city: City, total: int, rng: np.random.Generator) -> list[tuple[Dong, list[Point]]]:
    """Points for `total` homes, dong by dong; each point fits its dong (see City.fits: the
    sampler itself keeps to the polygon, the rest is checked here)."""
    counts = allocate(total, [d.region.households or 0 for d in city.dongs])
    placed = []
    for dong, n in zip(city.dongs, counts, strict=True):
        points = sample_points_in_geometry(
            dong.boundary,
            n,
            rng,
            accept=partial(city.fits_cell, dong=dong),
            max_tries=TRIES_PER_POINT * n + 1000,
        )
        placed.append((dong, points))
    return placed


def create_households(city: City, total: int, rng: np.random.Generator) -> Homes:
    """Sample and bulk-insert the demo households; no query per row."""
    placed = sample_homes(city, total, rng)
    sizes = rng.choice(np.arange(1, 5), size=total, p=SIZE_PROBABILITIES)
    lots = rng.integers(1, 700, size=total)
    subs = rng.integers(0, 40, size=total)
    rows: list[Household] = []
    lat, lng, region_id = [], [], []
    for dong, points in placed:
        for point in points:
            i = len(rows)
            lot = f"{lots[i]}-{subs[i]}" if subs[i] else str(lots[i])
            rows.append(
                Household(
                    region=dong.region,
                    address=f"서울 마포구 {dong.region.name_ko} {lot}",
                    lat=point.lat,
                    lng=point.lng,
                    home_cell=cell_of(point, settings.NEIGHBOURHOOD_RESOLUTION),
                    size=int(sizes[i]),
                    source=SOURCE,
                    external_id=external_id(i + 1),
                )
            )
            lat.append(point.lat)
            lng.append(point.lng)
            region_id.append(dong.region.pk)
    Household.objects.bulk_create(rows, batch_size=BATCH)
    return Homes(
        lat=np.array(lat, dtype=np.float64),
        lng=np.array(lng, dtype=np.float64),
        region_id=np.array(region_id, dtype=np.int64),
    )

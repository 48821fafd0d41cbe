"""The river band keeps demo homes out of the Han: checked against known land and water."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import numpy as np
import pytest

from hyperlocal.geo import Point, geometry_area_m2, sample_points_in_geometry
from hyperlocal.simulation.demo.river import on_land

RIVERSIDE = {"용강동", "도화동", "신수동", "서강동", "합정동", "망원1동", "망원2동", "상암동"}


def dongs() -> dict[str, dict[str, Any]]:
    data = resources.files("hyperlocal.regions") / "data" / "mapo" / "dongs.geojson"
    features = json.loads(data.read_text(encoding="utf-8"))["features"]
    return {f["properties"]["adm_nm"].split()[-1]: f["geometry"] for f in features}


def land_share(geometry: dict[str, Any], n: int = 4000) -> float:
    points = sample_points_in_geometry(geometry, n, np.random.default_rng(0))
    return sum(on_land(p) for p in points) / n


def test_mangwon_2_dong_keeps_about_its_land_area() -> None:
    # The polygon is 1.21 km², SGIS's 2024 land boundary 0.68 km² (the README of the data).
    geometry = dongs()["망원2동"]
    area_km2 = geometry_area_m2(geometry) / 1e6
    assert area_km2 == pytest.approx(1.21, abs=0.01)
    excluded = 1 - land_share(geometry)
    assert 0.40 <= excluded <= 0.46
    assert area_km2 * (1 - excluded) == pytest.approx(0.68, abs=0.05)


def test_only_riverside_dongs_lose_land() -> None:
    for name, geometry in dongs().items():
        share = land_share(geometry, 1000)
        if name in RIVERSIDE:
            assert share < 0.95, name
        else:
            assert share == 1.0, name


@pytest.mark.parametrize(
    ("lat", "lng", "where"),
    [
        (37.5432, 126.8997, "Seonyudo, an island mid-river"),
        (37.5320, 126.9370, "under Mapo Bridge"),
        (37.5390, 126.9260, "by Bamseom"),
        (37.5520, 126.8880, "off Mangwon Hangang Park"),
        (37.5640, 126.8680, "off Nanji"),
    ],
)
def test_the_river_is_not_land(lat: float, lng: float, where: str) -> None:
    assert not on_land(Point(lat, lng)), where


@pytest.mark.parametrize(
    ("lat", "lng", "where"),
    [
        (37.5495, 126.9137, "Hapjeong station"),
        (37.5395, 126.9459, "Mapo station"),
        (37.5560, 126.9103, "Mangwon station"),
        (37.5556, 126.9063, "Mangwon Market"),
        (37.5663, 126.9019, "Mapo-gu Office"),
        (37.5572, 126.9245, "Hongik University station"),
        (37.5771, 126.8895, "Digital Media City"),
    ],
)
def test_neighbourhoods_are_land(lat: float, lng: float, where: str) -> None:
    assert on_land(Point(lat, lng)), where

"""A small made-up district (two square dongs near Gangnam station) to load from files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest


def square(lng: float, lat: float, size: float = 0.01) -> dict[str, Any]:
    ring = [[lng, lat], [lng + size, lat], [lng + size, lat + size], [lng, lat + size], [lng, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def feature(code: str, name: str, geometry: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "properties": {"adm_cd2": code, "adm_nm": f"서울특별시 강남구 {name}"},
        "geometry": geometry,
    }


@pytest.fixture
def district_files(tmp_path: Path) -> tuple[Path, Path]:
    geojson = tmp_path / "dongs.geojson"
    geojson.write_text(
        json.dumps(
            {
                "type": "FeatureCollection",
                "features": [
                    feature("1168010100", "역삼동", square(127.02, 37.49)),
                    feature("1168010200", "서초동", square(127.03, 37.49)),
                ],
            }
        ),
        encoding="utf-8",
    )
    stats = tmp_path / "dongs.csv"
    stats.write_text(
        "adm_code,name_ko,name_en,lat,lng,population,households\n"
        "1168010100,역삼동,Yeoksam-dong,37.495,127.025,1000,400\n",
        encoding="utf-8",
    )
    return geojson, stats

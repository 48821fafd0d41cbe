"""Candidate vacant spaces: closed shops, empty upper floors, basements, parking, lots."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
from django.conf import settings

from hyperlocal.geo import Point, cell_of
from hyperlocal.planning.models import VacantSpace
from hyperlocal.simulation.demo.city import City, Dong
from hyperlocal.simulation.demo.households import Homes

EXTERNAL_ID_PREFIX = "demo-space-"
Kind = VacantSpace.Kind


@dataclass(frozen=True)
class KindSpec:
    count: int  # of the 150 spaces
    label_ko: str
    area_m2: tuple[int, int]  # drawn log-uniformly between these
    rent_factor: float  # times the dong's shop-front rent per m²
    # Chance that a space of this kind can hold each zone kind (a warehouse always fits).
    community: float
    popup: float
    stay: float


KINDS: dict[str, KindSpec] = {
    Kind.SHOP_FRONT: KindSpec(55, "빈 점포", (60, 320), 1.05, 0.9, 1.0, 0.0),
    Kind.UPPER_FLOOR: KindSpec(40, "빈 상층", (100, 700), 0.8, 1.0, 0.5, 0.7),
    Kind.BASEMENT: KindSpec(25, "지하 공간", (120, 800), 0.65, 0.8, 0.5, 0.0),
    Kind.PARKING: KindSpec(15, "주차 빌딩", (500, 1500), 0.7, 0.4, 1.0, 0.0),
    Kind.LOT: KindSpec(15, "공터", (200, 1500), 0.7, 0.0, 1.0, 0.0),
}
SPACE_COUNT = sum(spec.count for spec in KINDS.values())

# Ground-floor shop rent per m² per month in won, by dong (10-digit code): highest around
# Hongdae, Hapjeong, Yeonnam and Gongdeok, lowest in the residential west.
RENT_PER_M2: dict[str, int] = {
    "1144055500": 58_000,  # 아현동
    "1144056500": 68_000,  # 공덕동
    "1144058500": 62_000,  # 도화동
    "1144059000": 60_000,  # 용강동
    "1144060000": 56_000,  # 대흥동
    "1144061000": 52_000,  # 염리동
    "1144063000": 54_000,  # 신수동
    "1144065500": 58_000,  # 서강동
    "1144066000": 75_000,  # 서교동
    "1144068000": 70_000,  # 합정동
    "1144069000": 60_000,  # 망원1동
    "1144070000": 55_000,  # 망원2동
    "1144071000": 70_000,  # 연남동
    "1144072000": 50_000,  # 성산1동
    "1144073000": 48_000,  # 성산2동
    "1144074000": 52_000,  # 상암동
}
RENT_RANGE = (30_000, 80_000)
_M_PER_DEG_LAT = 111_195.0


def _floor(kind: str, rng: np.random.Generator) -> str:
    if kind == Kind.SHOP_FRONT:
        return " 1층"
    if kind == Kind.UPPER_FLOOR:
        return f" {int(rng.integers(2, 6))}층"
    if kind == Kind.BASEMENT:
        return " 지하 1층"
    return ""


def _place(city: City, homes: Homes, rng: np.random.Generator) -> tuple[Point, Dong]:
    """Near a random home (so spaces follow household density), on land in some dong."""
    while True:
        i = int(rng.integers(len(homes)))
        bearing, metres = rng.uniform(0, 2 * math.pi), rng.uniform(20, 150)
        lat = float(homes.lat[i]) + metres * math.cos(bearing) / _M_PER_DEG_LAT
        lng = float(homes.lng[i]) + metres * math.sin(bearing) / (
            _M_PER_DEG_LAT * math.cos(math.radians(lat))
        )
        point = Point(lat, lng)
        dong = city.locate(point)
        if dong is not None:
            return point, dong


def monthly_rent(dong: Dong, kind: str, area_m2: int, rng: np.random.Generator) -> int:
    """Whole won, rounded to 10,000 (rents are quoted that way)."""
    per_m2 = RENT_PER_M2.get(dong.region.code, 55_000) * KINDS[kind].rent_factor * rng.uniform(0.92, 1.08)
    per_m2 = min(max(per_m2, RENT_RANGE[0]), RENT_RANGE[1])
    return round(area_m2 * per_m2 / 10_000) * 10_000


def create_spaces(city: City, homes: Homes, rng: np.random.Generator, today: date) -> list[VacantSpace]:
    kinds = [kind for kind, spec in KINDS.items() for _ in range(spec.count)]
    order = rng.permutation(len(kinds))
    spaces = []
    for n, k in enumerate(order, start=1):
        kind, spec = str(kinds[k]), KINDS[kinds[k]]
        point, dong = _place(city, homes, rng)
        low, high = spec.area_m2
        area = round(math.exp(rng.uniform(math.log(low), math.log(high))))
        spaces.append(
            VacantSpace(
                name=f"{dong.region.name_ko} {spec.label_ko} {n:03d}",
                region=dong.region,
                address=f"서울 마포구 {dong.region.name_ko} {int(rng.integers(1, 700))}{_floor(kind, rng)}",
                lat=point.lat,
                lng=point.lng,
                cell=cell_of(point, settings.SERVICE_AREA_RESOLUTION),
                kind=kind,
                floor_area_m2=area,
                monthly_rent_won=monthly_rent(dong, kind, area, rng),
                # Some are empty now, others come free over the next half year.
                available_from=today + timedelta(days=int(rng.integers(-90, 181))),
                can_warehouse=True,
                can_community=bool(rng.random() < spec.community),
                can_popup=bool(rng.random() < spec.popup),
                can_stay=bool(rng.random() < spec.stay),
                external_id=f"{EXTERNAL_ID_PREFIX}{n:03d}",
            )
        )
    return VacantSpace.objects.bulk_create(spaces)

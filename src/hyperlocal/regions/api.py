"""Regions API (/api/regions): the districts and dongs this platform serves, public to read."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from hyperlocal.geo import Point
from hyperlocal.regions import services
from hyperlocal.regions.models import Region
from hyperlocal.schemas import with_errors

router = Router(tags=["regions"])


class CentroidOut(Schema):
    lat: float
    lng: float


class RegionOut(Schema):
    code: str
    name_ko: str
    name_en: str
    level: Region.Level
    parent: str | None = Field(None, description="code of the enclosing region")
    population: int | None
    households: int | None


class RegionDetailOut(RegionOut):
    slogan: str
    centroid: CentroidOut | None
    boundary: dict[str, Any] | None = Field(None, description="GeoJSON Polygon or MultiPolygon (lng, lat)")


class LocateQuery(Schema):
    lat: float = Field(..., ge=-90, le=90, allow_inf_nan=False, description="latitude, WGS84 degrees")
    lng: float = Field(..., ge=-180, le=180, allow_inf_nan=False, description="longitude, WGS84 degrees")


class LocatedOut(Schema):
    dong: RegionOut
    district: RegionOut


def region_out(region: Region) -> RegionOut:
    return RegionOut(
        code=region.code,
        name_ko=region.name_ko,
        name_en=region.name_en,
        level=Region.Level(region.level),
        parent=region.parent.code if region.parent else None,
        population=region.population,
        households=region.households,
    )


def region_detail_out(region: Region) -> RegionDetailOut:
    centroid = None
    if region.centroid_lat is not None and region.centroid_lng is not None:
        centroid = CentroidOut(lat=region.centroid_lat, lng=region.centroid_lng)
    return RegionDetailOut(
        **region_out(region).model_dump(), slogan=region.slogan, centroid=centroid, boundary=region.boundary
    )


@router.get("", response=with_errors({200: list[RegionOut]}, 422), summary="Regions served")
def list_regions(request: HttpRequest, level: Region.Level | None = None) -> list[RegionOut]:
    return [region_out(r) for r in services.list_regions(level=level)]


# Declared before "/{code}" so that "locate" is not taken for a region code.
@router.get("/locate", response=with_errors({200: LocatedOut}, 422), summary="Dong and district of a point")
def locate(request: HttpRequest, query: Query[LocateQuery]) -> LocatedOut:
    dong, district = services.locate(Point(query.lat, query.lng), field="lat")
    return LocatedOut(dong=region_out(dong), district=region_out(district))


@router.get("/{code}", response=with_errors({200: RegionDetailOut}, 404, 422), summary="One region")
def get_region(request: HttpRequest, code: str) -> RegionDetailOut:
    return region_detail_out(services.region_by_code(code))

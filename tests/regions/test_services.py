"""Regions services on the shipped Mapo-gu data and on small made-up districts."""

from __future__ import annotations

import pytest
from django.conf import settings

from hyperlocal.errors import InvalidInput, NotFound
from hyperlocal.geo import Point, cell_of
from hyperlocal.imports import ImportFailed
from hyperlocal.regions import services
from hyperlocal.regions.models import Region, RegionCell
from tests.factories import HONGDAE, MAPO_OFFICE
from tests.regions.conftest import feature, square

GANGNAM = Point(37.4979, 127.0276)


def test_mapo_has_sixteen_dongs_with_cells_and_statistics(mapo: Region) -> None:
    dongs = Region.objects.filter(parent=mapo)
    assert dongs.count() == 16
    assert all(d.level == Region.Level.DONG and d.population and d.households for d in dongs)
    assert mapo.population == sum(d.population or 0 for d in dongs) == 363_029
    assert mapo.households == 181_651
    assert mapo.boundary is not None
    assert mapo.boundary["type"] == "MultiPolygon"
    assert services.find_region(Point(mapo.centroid_lat, mapo.centroid_lng)) is not None  # type: ignore[arg-type]
    assert len(services.region_cells(mapo)) == RegionCell.objects.count() > 200
    seogyo = Region.objects.get(code="1144066000")
    assert services.region_cells(seogyo) < services.region_cells(mapo)


def test_loading_twice_changes_nothing(mapo: Region) -> None:
    cells = set(RegionCell.objects.values_list("cell", "region__code"))
    services.load_mapo()
    assert set(RegionCell.objects.values_list("cell", "region__code")) == cells
    assert Region.objects.count() == 17


def test_find_and_locate(mapo: Region) -> None:
    assert services.find_region(HONGDAE).code == "1144066000"  # type: ignore[union-attr]
    dong, district = services.locate(MAPO_OFFICE)
    assert (dong.name_en, district.code) == ("Seongsan 2(i)-dong", "11440")
    assert services.find_region(GANGNAM) is None
    with pytest.raises(InvalidInput) as exc:
        services.region_for_point(GANGNAM, field="lat")
    assert exc.value.field == "lat"
    assert "outside every region" in exc.value.message


def test_regions_for_points_locates_many_at_once(mapo: Region, django_assert_max_num_queries: object) -> None:
    points = [HONGDAE, MAPO_OFFICE, GANGNAM]
    with django_assert_max_num_queries(2):  # type: ignore[operator]
        found = services.regions_for_points(points)
    assert {p: r.code for p, r in found.items()} == {HONGDAE: "1144066000", MAPO_OFFICE: "1144073000"}


def test_region_by_code(mapo: Region) -> None:
    assert services.region_by_code("11440") == mapo
    for code in ["99999", "", "\x00", "1" * 40]:
        with pytest.raises(NotFound):
            services.region_by_code(code)
    with pytest.raises(InvalidInput):
        services.get_region("99999")


def test_list_regions_by_level(mapo: Region) -> None:
    assert [r.code for r in services.list_regions(level="district")] == ["11440"]
    assert services.list_regions(level="dong").count() == 16
    assert services.list_regions().count() == 17


def test_import_district_from_features(db: None) -> None:
    dongs = {
        "type": "FeatureCollection",
        "features": [feature("1168010100", "역삼동", square(127.02, 37.49))],
    }
    district = services.import_district(
        code="11680", name_ko="강남구", name_en="Gangnam-gu", dongs=dongs, stats={}
    )
    dong = Region.objects.get(code="1168010100")
    assert dong.name_ko == "역삼동"
    assert dong.parent == district
    assert dong.centroid_lat == pytest.approx(
        37.495, abs=1e-3
    )  # from the polygon when there are no statistics
    inside = Point(37.495, 127.025)
    assert services.find_region(inside) == dong
    assert cell_of(inside, settings.REGION_CELL_RESOLUTION) in services.region_cells(district)


def test_import_district_reports_every_bad_feature_and_writes_nothing(db: None) -> None:
    dongs = {
        "type": "FeatureCollection",
        "features": [
            feature("1168010100", "역삼동", square(127.02, 37.49)),
            feature("1144066000", "서교동", square(127.03, 37.49)),  # another district's dong
            feature("1168010300", "x", {"type": "Point", "coordinates": [127.0, 37.5]}),
            "not a feature",
            feature("1168010100", "역삼동", square(127.04, 37.49)),  # twice
        ],
    }
    with pytest.raises(ImportFailed) as exc:
        services.import_district(code="11680", name_ko="강남구", name_en="", dongs=dongs, stats={})
    assert {(e.line, e.field) for e in exc.value.errors} == {
        (2, "adm_cd2"),
        (3, "geometry"),
        (4, None),
        (5, "adm_cd2"),
    }
    assert not Region.objects.exists()
    with pytest.raises(ImportFailed):
        services.import_district(
            code="11680", name_ko="강남구", name_en="", dongs={"type": "Feature"}, stats={}
        )


def test_parse_dong_stats_reports_every_bad_row() -> None:
    text = (
        "adm_code,name_ko,lat,lng,population\n"
        "1168010100,역삼동,37.49,127.02,100\n"
        "abc,,37.49,127.02,\n"
        "1168010100,역삼동,north,127.02,\n"
        "1168010200,서초동,37.49,127.02,-5\n"
    )
    with pytest.raises(ImportFailed) as exc:
        services.parse_dong_stats(text)
    assert {(e.line, e.field) for e in exc.value.errors} == {
        (3, "adm_code"),
        (3, "name_ko"),
        (4, "adm_code"),
        (4, "lat"),
        (5, "population"),
    }
    good = services.parse_dong_stats("adm_code,name_ko,lat,lng\n1168010100,역삼동,37.49,127.02\n")
    assert good["1168010100"].population is None

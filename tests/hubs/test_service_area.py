"""Service areas with the real circuity travel model (deterministic)."""

from __future__ import annotations

import pytest
from django.conf import settings

from hyperlocal.geo import CircuityModel, OsrmTableModel, Point, cell_of
from hyperlocal.hubs.errors import ServiceAreaUnavailable
from hyperlocal.hubs.models import Hub, ServiceAreaCell
from hyperlocal.hubs.services import (
    compute_service_area,
    hubs_serving,
    hubs_serving_with_minutes,
    nearby_hubs,
    refresh_service_area,
    service_area_geojson,
    service_area_is_stale,
)
from tests.factories import HONGDAE, MAPO_OFFICE

# About 3.3 km east of Mapo-gu Office: within a 20-minute bike ride (20 x 250 m/min / 1.3 = 3.85 km).
EAST_3KM = Point(37.5663, 126.9390)
GANGNAM = Point(37.4979, 127.0276)


def test_bike_area_is_larger_than_walking_area_with_the_same_promise() -> None:
    bike = compute_service_area(MAPO_OFFICE.lat, MAPO_OFFICE.lng, "bike", 20)
    walk = compute_service_area(MAPO_OFFICE.lat, MAPO_OFFICE.lng, "walk", 20)
    assert len(bike.cells) > 5 * len(walk.cells)
    assert set(walk.cells) < set(bike.cells)


def test_stored_cells_are_within_the_ride_budget(hub: Hub) -> None:
    budget = hub.promise_minutes - hub.prep_minutes
    minutes = list(ServiceAreaCell.objects.filter(hub=hub).values_list("travel_minutes", flat=True))
    assert len(minutes) > 100
    assert max(minutes) <= budget
    assert hub.service_cells.filter(cell=hub.cell).exists()  # its own cell, always


def test_area_records_when_and_for_what_it_was_computed(hub: Hub) -> None:
    assert hub.service_area_computed_at is not None
    assert hub.service_area_signature == "bike:20:37.566300,126.901900:res9:circuity1.3@250"
    assert not service_area_is_stale(hub)
    Hub.objects.filter(pk=hub.pk).update(promise_minutes=40)  # behind the services' back
    hub.refresh_from_db()
    assert service_area_is_stale(hub)
    assert refresh_service_area(hub) == hub.service_cells.count()
    assert not service_area_is_stale(hub)


def test_refresh_replaces_the_cells_in_one_go(hub: Hub) -> None:
    before = set(hub.service_cells.values_list("cell", flat=True))
    count = refresh_service_area(hub, model=CircuityModel(circuity=2.0))
    after = set(hub.service_cells.values_list("cell", flat=True))
    assert count == len(after) < len(before)
    assert after < before
    assert hub.service_area_signature.endswith("circuity2@250")


def test_unavailable_travel_model_changes_nothing(hub: Hub) -> None:
    before = list(hub.service_cells.values_list("cell", "travel_minutes"))
    signature = hub.service_area_signature
    down = OsrmTableModel({"bike": "http://127.0.0.1:9"}, timeout_s=1)
    with pytest.raises(ServiceAreaUnavailable) as err:
        refresh_service_area(hub, model=down)
    assert err.value.status_code == 503
    assert "unavailable" in err.value.message
    hub.refresh_from_db()
    assert list(hub.service_cells.values_list("cell", "travel_minutes")) == before
    assert hub.service_area_signature == signature


def test_hubs_serving_a_point(hub: Hub, other_hub: Hub) -> None:
    assert hubs_serving(MAPO_OFFICE) == [hub]
    served = hubs_serving_with_minutes(HONGDAE)
    assert [h for h, _ in served] == [other_hub, hub]  # walking hub is right there
    assert served[0][1] <= served[1][1]
    assert hubs_serving(EAST_3KM) == [hub]
    assert hubs_serving(GANGNAM) == []
    hub.status = Hub.Status.CLOSED
    hub.save()
    assert hubs_serving(MAPO_OFFICE) == []


def test_nearby_hubs_by_distance(hub: Hub, other_hub: Hub) -> None:
    near_hongdae = nearby_hubs(HONGDAE, limit=5)
    assert [h for h, _ in near_hongdae] == [other_hub, hub]
    assert near_hongdae[0][1] < 1 < 2200 < near_hongdae[1][1] < 2800
    assert [h for h, _ in nearby_hubs(HONGDAE, limit=1)] == [other_hub]


def test_geojson_has_one_feature_per_cell_with_travel_minutes(hub: Hub) -> None:
    collection = service_area_geojson(hub)
    assert collection["type"] == "FeatureCollection"
    features = collection["features"]
    assert isinstance(features, list)
    assert len(features) == hub.service_cells.count()
    own = next(
        f
        for f in features
        if f["properties"]["cell"] == cell_of(MAPO_OFFICE, settings.SERVICE_AREA_RESOLUTION)
    )
    assert own["properties"]["travel_minutes"] < 1
    assert own["geometry"]["type"] == "Polygon"

"""Every page of the web shell renders for visitors and residents."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from hyperlocal.regions.models import Region
from tests.factories import UserFactory
from tests.web.world import World

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def page_urls(world: World) -> list[str]:
    return [
        reverse("web:home"),
        reverse("web:products"),
        reverse("web:product", args=[world.tangerine.pk]),
        reverse("web:hubs"),
        reverse("web:hub", args=[world.hub.slug]),
        reverse("web:login"),
        reverse("web:signup"),
    ]


def map_data(html: str) -> dict[str, object]:
    start = html.index('<script id="map-data" type="application/json">') + len(
        '<script id="map-data" type="application/json">'
    )
    return json.loads(html[start : html.index("</script>", start)])  # type: ignore[no-any-return]


@pytest.mark.django_db
def test_every_page_renders_for_a_visitor(world: World, client: Client) -> None:
    for url in page_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert b"hyperlocal" in response.content


@pytest.mark.django_db
def test_every_page_renders_for_a_resident(world: World, resident_client: Client) -> None:
    for url in page_urls(world):
        response = resident_client.get(url)
        # Login and signup send a signed-in user home.
        expected = 302 if url in (reverse("web:login"), reverse("web:signup")) else 200
        assert response.status_code == expected, url


@pytest.mark.django_db
def test_visitor_home_has_landing_and_district_map(world: World, client: Client) -> None:
    response = client.get(reverse("web:home"), **EN)
    html = response.content.decode()
    assert "Shop from your neighbourhood" in html
    data = map_data(html)
    assert len(data["dongs"]["features"]) == 16  # type: ignore[index]
    assert [hub["name"] for hub in data["hubs"]] == ["Seogyo Hub"]  # type: ignore[attr-defined]
    assert data["hubs"][0]["area"]["features"]  # type: ignore[index]
    assert data["cells"] is None
    assert data["tiles"] is None  # offline by default


@pytest.mark.django_db
def test_resident_home_shows_neighbourhood_and_verification(world: World, resident_client: Client) -> None:
    html = resident_client.get(reverse("web:home"), **EN).content.decode()
    assert "Your neighbourhood" in html
    assert "Verified on" in html
    assert 'id="verify-button"' in html
    data = map_data(html)
    cells = data["cells"]["features"]  # type: ignore[index]
    # grid_disk(home, 4) has 61 cells, exactly one of them the home cell.
    assert len(cells) == 61
    assert sum(1 for f in cells if f["properties"]["home"]) == 1
    assert data["home"] == {"lat": world.resident.household.lat, "lng": world.resident.household.lng}  # type: ignore[union-attr]
    assert "Seogyo Hub" in html


@pytest.mark.django_db
def test_map_tiles_are_used_when_configured(world: World, client: Client, settings: object) -> None:
    settings.MAP_TILES_URL = "https://tiles.example.test/{z}/{x}/{y}.png"  # type: ignore[attr-defined]
    settings.MAP_TILES_ATTRIBUTION = "© example"  # type: ignore[attr-defined]
    data = map_data(client.get(reverse("web:home")).content.decode())
    assert data["tiles"] == {"url": "https://tiles.example.test/{z}/{x}/{y}.png", "attribution": "© example"}


@pytest.mark.django_db
def test_resident_without_household_gets_the_set_home_form(mapo: Region, client: Client) -> None:
    client.force_login(UserFactory())
    html = client.get(reverse("web:home"), **EN).content.decode()
    assert "Set your home" in html
    assert f'action="{reverse("web:set_home")}"' in html
    assert map_data(html)["pick"] is True


@pytest.mark.django_db
def test_hub_page_shows_hours_zones_and_service_area(world: World, client: Client) -> None:
    html = client.get(reverse("web:hub", args=["seogyo"]), **EN).content.decode()
    for text in (
        "Seogyo Hub",
        "Dark store",
        "Neighbours&#x27; room",
        "Community room",
        "180 m²",
        "Monday",
        "08:00",
    ):
        assert text in html, text
    assert "within 20 minutes" in html
    data = map_data(html)
    assert data["show_areas"] is True
    bands = data["hubs"][0]["area"]["features"]  # type: ignore[index]
    # Nested outlines, the whole service area first.
    assert 1 <= len(bands) <= 3
    assert bands[0]["properties"]["cells"] == world.hub.service_cells.count() > 0
    assert [b["properties"]["cells"] for b in bands] == sorted(
        (b["properties"]["cells"] for b in bands), reverse=True
    )


@pytest.mark.django_db
def test_unknown_hub_and_product_are_404(world: World, client: Client) -> None:
    assert client.get(reverse("web:hub", args=["nowhere"])).status_code == 404
    assert client.get(reverse("web:product", args=[999999])).status_code == 404


@pytest.mark.django_db
def test_pages_load_htmx_and_leaflet_from_static(world: World, client: Client) -> None:
    html = client.get(reverse("web:home")).content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert "/static/leaflet/leaflet.js" in html
    assert "/static/leaflet/leaflet.css" in html
    assert "X-CSRFToken" in html
    assert "https://" not in html.split("<body")[0]  # nothing fetched from a CDN


@pytest.mark.django_db
def test_404_page_uses_the_site_layout(mapo: Region, client: Client, settings: object) -> None:
    settings.DEBUG = False  # type: ignore[attr-defined]
    response = client.get("/no/such/page/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html
    assert 'class="site-header"' in html

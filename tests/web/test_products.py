"""The product list: search, the specialty filter, htmx partial results and bad parameters."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import ProductFactory
from tests.web.world import World

URL = "/products/"


def test_products_url() -> None:
    assert reverse("web:products") == URL


@pytest.mark.django_db
def test_search_lists_names_price_unit_merchant_and_origin(world: World, client: Client) -> None:
    html = client.get(URL, {"q": "감귤"}).content.decode()
    assert "제주 감귤 3kg" in html
    assert "Jeju tangerines 3 kg" in html
    assert "18,900원" in html
    assert "3 kg box" in html
    assert world.tangerine.merchant.name in html
    assert "감귤맛 사탕" in html  # no filter yet: the candy matches too
    assert "햇반" not in html


@pytest.mark.django_db
def test_specialty_filter_keeps_regional_specialties_only(world: World, client: Client) -> None:
    html = client.get(URL, {"q": "감귤", "specialty": "on"}).content.decode()
    assert "제주 감귤 3kg" in html
    assert "감귤맛 사탕" not in html
    english = client.get(URL, {"q": "tangerine", "specialty": "on"}).content.decode()
    assert "Jeju tangerines 3 kg" in english
    assert "Tangerine-flavoured candy" not in english


@pytest.mark.django_db
def test_origin_and_category_filters(world: World, client: Client) -> None:
    by_origin = client.get(URL, {"origin": "jeju"}).content.decode()
    assert "제주 감귤 3kg" in by_origin
    assert "햇반" not in by_origin
    by_category = client.get(URL, {"category": "rice_grains"}).content.decode()
    assert "햇반" in by_category
    assert "제주 감귤 3kg" not in by_category


@pytest.mark.django_db
def test_htmx_request_gets_only_the_results_fragment(world: World, client: Client) -> None:
    response = client.get(URL, {"q": "감귤", "specialty": "on"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div class="results" id="results-inner">')
    assert "<html" not in html
    assert '<nav class="site-nav"' not in html
    assert "제주 감귤 3kg" in html
    assert "HX-Request" in response["Vary"]


@pytest.mark.django_db
def test_history_restore_gets_the_full_page(world: World, client: Client) -> None:
    response = client.get(URL, {"q": "감귤"}, HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in response.content.decode()


@pytest.mark.django_db
def test_full_page_works_without_javascript(world: World, client: Client) -> None:
    html = client.get(URL).content.decode()
    assert '<form method="get" action="/products/"' in html
    assert 'name="specialty"' in html
    assert 'id="results"' in html


@pytest.mark.django_db
@pytest.mark.parametrize(
    "params",
    [
        {"page": "abc"},
        {"page": "-1"},
        {"page": "99999"},
        {"origin": "unknown"},
        {"origin": "../../etc"},
        {"category": "weapons"},
        {"q": "x" * 500},
        {"q": "\x00감귤"},
        {"specialty": "maybe"},
    ],
)
def test_bad_query_parameters_do_not_fail(world: World, client: Client, params: dict[str, str]) -> None:
    for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
        response = client.get(URL, params, **headers)  # type: ignore[arg-type]
        assert response.status_code == 200, (params, headers)


@pytest.mark.django_db
def test_unknown_origin_is_reported_and_other_filters_still_apply(world: World, client: Client) -> None:
    html = client.get(URL, {"origin": "atlantis", "q": "햇반"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Some filters were ignored" in html
    assert "햇반" in html
    assert "제주 감귤 3kg" not in html


@pytest.mark.django_db
def test_pages(world: World, client: Client) -> None:
    ProductFactory.create_batch(25, name_ko="두부", name_en="Tofu", merchant=world.rice.merchant)
    first = client.get(URL, {"q": "두부"}, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "25 products" in first
    assert first.count('class="product"') == 20
    assert "page 1 of 2" in first
    assert "q=%EB%91%90%EB%B6%80&amp;page=2" in first
    second = client.get(URL, {"q": "두부", "page": "2"}).content.decode()
    assert second.count('class="product"') == 5


@pytest.mark.django_db
def test_product_detail(world: World, client: Client) -> None:
    html = client.get(
        reverse("web:product", args=[world.tangerine.pk]), HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "제주 감귤 3kg" in html
    assert "18,900원" in html
    assert "Jeju" in html

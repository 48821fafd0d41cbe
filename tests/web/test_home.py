"""Setting a home and verifying the neighbourhood through the web pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

import hyperlocal.accounts.services as accounts
from hyperlocal.accounts.models import Household, NeighbourhoodVerification
from hyperlocal.regions.models import Region
from tests.factories import HONGDAE, MAPO_OFFICE, UserFactory
from tests.web.world import World

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}
BUSAN = (35.1796, 129.0756)


@pytest.mark.django_db
def test_verify_near_home_records_a_verification(world: World, resident_client: Client) -> None:
    before = NeighbourhoodVerification.objects.filter(user=world.resident).count()
    response = resident_client.post(
        reverse("web:verify"), {"lat": HONGDAE.lat + 0.001, "lng": HONGDAE.lng}, follow=True, **EN
    )
    assert response.redirect_chain == [(reverse("web:home"), 302)]
    assert "Neighbourhood verified" in response.content.decode()
    assert NeighbourhoodVerification.objects.filter(user=world.resident).count() == before + 1


@pytest.mark.django_db
@pytest.mark.parametrize("fix", [(MAPO_OFFICE.lat, MAPO_OFFICE.lng), BUSAN])
def test_verify_far_away_shows_the_error_and_writes_nothing(
    world: World, resident_client: Client, fix: tuple[float, float]
) -> None:
    before = list(NeighbourhoodVerification.objects.values_list("pk", flat=True))
    response = resident_client.post(reverse("web:verify"), {"lat": fix[0], "lng": fix[1]}, follow=True, **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="message error"' in html
    assert "Not verified: you are about" in html
    assert list(NeighbourhoodVerification.objects.values_list("pk", flat=True)) == before


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data", [{}, {"lat": "abc", "lng": "126.9"}, {"lat": "95", "lng": "126.9"}, {"lat": "nan"}]
)
def test_verify_with_bad_coordinates_shows_an_error(
    world: World, resident_client: Client, data: dict[str, str]
) -> None:
    before = NeighbourhoodVerification.objects.count()
    response = resident_client.post(reverse("web:verify"), data, follow=True, **EN)
    assert response.status_code == 200
    assert "The position was not usable" in response.content.decode()
    assert NeighbourhoodVerification.objects.count() == before


@pytest.mark.django_db
def test_verify_needs_login_and_post(world: World, client: Client, resident_client: Client) -> None:
    response = client.post(reverse("web:verify"), {"lat": HONGDAE.lat, "lng": HONGDAE.lng})
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("web:login"))
    assert resident_client.get(reverse("web:verify")).status_code == 405


@pytest.mark.django_db
def test_set_home_creates_a_household(mapo: Region, client: Client) -> None:
    user = UserFactory()
    client.force_login(user)
    response = client.post(
        reverse("web:set_home"),
        {"lat": MAPO_OFFICE.lat, "lng": MAPO_OFFICE.lng, "address": "월드컵로 212", "size": 2},
        follow=True,
        **EN,
    )
    assert response.redirect_chain == [(reverse("web:home"), 302)]
    user.refresh_from_db()
    assert user.household is not None
    assert user.household.size == 2
    assert "Your neighbourhood" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"lat": BUSAN[0], "lng": BUSAN[1], "size": 1}, "lat"),  # outside every region
        ({"lat": "north", "lng": "126.9", "size": 1}, "lat"),
        ({"lat": "37.55", "lng": "126.92", "size": 0}, "size"),
    ],
)
def test_set_home_refuses_bad_input_and_writes_nothing(
    mapo: Region, client: Client, data: dict[str, object], field: str
) -> None:
    user = UserFactory()
    client.force_login(user)
    response = client.post(reverse("web:set_home"), data, **EN)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your home was not set" in html
    assert 'class="error"' in html
    assert Household.objects.count() == 0
    user.refresh_from_db()
    assert user.household is None


@pytest.mark.django_db
def test_resident_sees_the_join_code_and_a_neighbour_joins_with_it(world: World, client: Client) -> None:
    household = world.resident.household
    assert household is not None
    owner = Client()
    owner.force_login(world.resident)
    assert household.join_code in owner.get(reverse("web:home")).content.decode()

    neighbour = UserFactory()
    client.force_login(neighbour)
    response = client.post(reverse("web:join"), {"join_code": household.join_code.lower()}, follow=True, **EN)
    assert "You joined the household" in response.content.decode()
    neighbour.refresh_from_db()
    assert neighbour.household_id == household.pk


@pytest.mark.django_db
@pytest.mark.parametrize("code", ["", "NOPE2345", "x" * 30])
def test_join_with_a_bad_code_shows_an_error(world: World, client: Client, code: str) -> None:
    neighbour = UserFactory()
    client.force_login(neighbour)
    response = client.post(reverse("web:join"), {"join_code": code}, follow=True, **EN)
    assert response.status_code == 200
    assert 'class="message error"' in response.content.decode()
    neighbour.refresh_from_db()
    assert neighbour.household_id is None


@pytest.mark.django_db
def test_expired_and_missing_verification_are_shown(world: World, resident_client: Client) -> None:
    NeighbourhoodVerification.objects.all().delete()
    html = resident_client.get(reverse("web:home"), **EN).content.decode()
    assert "Your neighbourhood is not verified yet." in html
    assert "Verify my neighbourhood" in html

    long_ago = timezone.now() - dt.timedelta(days=45)
    accounts.verify_neighbourhood(world.resident, lat=HONGDAE.lat, lng=HONGDAE.lng, now=long_ago)
    html = resident_client.get(reverse("web:home"), **EN).content.decode()
    assert "Your verification expired on" in html
    assert "Verified on" not in html

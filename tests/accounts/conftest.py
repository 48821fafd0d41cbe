"""Fixtures for the accounts tests: residents with a home in Mapo-gu, tokens, API clients."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.conf import settings
from django.test import Client

from hyperlocal.accounts import services
from hyperlocal.accounts.models import Household, User
from hyperlocal.geo import Point, cell_centre, neighbourhood
from hyperlocal.regions.models import Region
from tests.factories import HONGDAE

# Gangnam station: in Seoul, but outside Mapo-gu (the only district loaded).
GANGNAM = Point(37.4979, 127.0276)


@pytest.fixture
def resident(mapo: Region) -> User:
    user = services.signup(username="minji", password="correct horse battery", display_name="Minji")
    services.set_home(user, lat=HONGDAE.lat, lng=HONGDAE.lng, address="서울 마포구 양화로 160")
    return user


@pytest.fixture
def home(resident: User) -> Household:
    assert resident.household is not None
    return resident.household


def point_at_steps(household: Household, steps: int) -> Point:
    """The centre of a cell exactly `steps` grid steps from the home cell."""
    ring = neighbourhood(household.home_cell, steps) - neighbourhood(household.home_cell, steps - 1)
    return cell_centre(sorted(ring)[0])


@pytest.fixture
def bearer() -> Callable[[User], dict[str, str]]:
    def make(user: User) -> dict[str, str]:
        _, key = services.issue_token(user, "tests")
        return {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    return make


@pytest.fixture
def api(resident: User, bearer: Callable[[User], dict[str, str]]) -> tuple[Client, dict[str, str]]:
    """A client and the resident's token header."""
    return Client(), bearer(resident)


K = settings.NEIGHBOURHOOD_K

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from hyperlocal.accounts.models import User
from hyperlocal.regions.models import Region
from tests.web.shop_world import Shop, build_shop
from tests.web.world import World, build_world


@pytest.fixture
def world(mapo: Region) -> World:
    return build_world()


@pytest.fixture
def resident_client(world: World) -> Client:
    client = Client()
    client.force_login(world.resident)
    return client


@pytest.fixture
def shop(world: World) -> Shop:
    return build_shop(world)


def english(client: Client, user: User) -> Client:
    """A signed-in client that reads the pages in English (the shop tests match English text)."""
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def shopper(shop: Shop) -> Client:
    return english(Client(), shop.world.resident)


@pytest.fixture
def operator_client(shop: Shop) -> Client:
    return english(Client(), shop.operator)

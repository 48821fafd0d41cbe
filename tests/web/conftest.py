from __future__ import annotations

import pytest
from django.test import Client

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


@pytest.fixture
def operator_client(shop: Shop) -> Client:
    client = Client()
    client.force_login(shop.operator)
    return client

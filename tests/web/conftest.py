from __future__ import annotations

import pytest
from django.test import Client

from hyperlocal.regions.models import Region
from tests.web.world import World, build_world


@pytest.fixture
def world(mapo: Region) -> World:
    return build_world()


@pytest.fixture
def resident_client(world: World) -> Client:
    client = Client()
    client.force_login(world.resident)
    return client

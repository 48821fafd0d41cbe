"""Inventory fixtures: a hub run by `operator`, a merchant with staff and products, stock
levels written through the services (so that every level has the movement explaining it)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.db import connection

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role
from hyperlocal.catalog.models import Merchant, Product
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.inventory.models import Stock
from hyperlocal.inventory.services import receive_opening_stock
from hyperlocal.regions.models import Region
from tests.factories import (
    HONGDAE,
    HubFactory,
    MerchantFactory,
    MerchantStaffFactory,
    ProductFactory,
    UserFactory,
    ZoneFactory,
)


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Tests marked postgres_only are skipped, visibly, on SQLite. `make test` runs them in its
    PostgreSQL pass, which CI cannot skip (the Makefile fails with CI=true and no DATABASE_URL)."""
    if request.node.get_closest_marker("postgres_only") and connection.vendor != "postgresql":
        reason = "needs PostgreSQL (set DATABASE_URL=postgres://...)"
        pytest.skip(reason)


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(username="operator")


@pytest.fixture
def outsider(db: None) -> User:
    return UserFactory(username="outsider")


@pytest.fixture
def platform_admin(db: None) -> User:
    user = UserFactory(username="platform")
    group, _ = Group.objects.get_or_create(name=str(Role.PLATFORM_ADMIN))
    user.groups.add(group)
    return user


@pytest.fixture
def hub(mapo: Region, operator: User) -> Hub:
    hub = HubFactory(name="Mapo Office Hub", slug="mapo-office")
    hub.operators.add(operator)
    return hub


@pytest.fixture
def other_hub(mapo: Region) -> Hub:
    return HubFactory(name="Hongdae Hub", slug="hongdae", lat=HONGDAE.lat, lng=HONGDAE.lng)


@pytest.fixture
def zone(hub: Hub) -> Zone:
    return ZoneFactory(hub=hub, name="Dry goods")


@pytest.fixture
def merchant(mapo: Region) -> Merchant:
    return MerchantFactory(name="Jeju Orchard", slug="jeju-orchard")


@pytest.fixture
def merchant_staff(merchant: Merchant) -> User:
    return MerchantStaffFactory(merchant=merchant, user=UserFactory(username="grower")).user


@pytest.fixture
def products(merchant: Merchant) -> list[Product]:
    return [
        ProductFactory(merchant=merchant, sku=f"JEJU-{i}", name_en=name, name_ko=name)
        for i, name in enumerate(["Tangerines", "Hallabong", "Green tea"], start=1)
    ]


def stock(hub: Hub, product: Product, on_hand: int) -> Stock:
    """A stock level with the RECEIPT movement that explains it."""
    return receive_opening_stock(hub, product, on_hand)

"""A small world for web and browser tests: Mapo-gu, a verified resident, an open hub with a
service area and zones, and a few products (one Jeju tangerine, some everyday goods)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from hyperlocal.accounts import services as accounts
from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Product
from hyperlocal.hubs import services as hubs
from hyperlocal.hubs.models import Hub, OpeningHours, Zone
from tests.factories import HONGDAE, HubFactory, OriginFactory, ProductFactory, UserFactory, ZoneFactory

PASSWORD = "correct horse battery"


@dataclass
class World:
    resident: User
    hub: Hub
    tangerine: Product
    candy: Product
    rice: Product


def build_world() -> World:
    """Needs the `mapo` fixture (regions) and a database."""
    resident = UserFactory(username="minji", display_name="Minji")
    accounts.set_home(resident, lat=HONGDAE.lat, lng=HONGDAE.lng, address="서울 마포구 양화로 160")
    resident.refresh_from_db()
    accounts.verify_neighbourhood(resident, lat=HONGDAE.lat, lng=HONGDAE.lng)

    hub = HubFactory(
        name="Seogyo Hub", slug="seogyo", lat=37.5560, lng=126.9220, promise_minutes=20, prep_minutes=8
    )
    ZoneFactory(hub=hub, kind=Zone.Kind.WAREHOUSE, name="Dark store", area_m2=180, capacity=400)
    ZoneFactory(hub=hub, kind=Zone.Kind.COMMUNITY_ROOM, name="Neighbours' room", area_m2=60, capacity=24)
    OpeningHours.objects.create(hub=hub, weekday=0, opens_at=dt.time(8), closes_at=dt.time(22))
    hubs.refresh_service_area(hub)

    jeju = OriginFactory(code="jeju", name_ko="제주", name_en="Jeju")
    tangerine = ProductFactory(
        name_ko="제주 감귤 3kg",
        name_en="Jeju tangerines 3 kg",
        origin=jeju,
        category="fruit",
        unit="3 kg box",
        price_won=18900,
    )
    # Matches "감귤" too but is no regional specialty: the filter must leave it out.
    candy = ProductFactory(
        name_ko="감귤맛 사탕", name_en="Tangerine-flavoured candy", category="snacks", price_won=1500
    )
    rice = ProductFactory(name_ko="햇반", name_en="Cooked rice", category="rice_grains", price_won=1200)
    return World(resident=resident, hub=hub, tangerine=tangerine, candy=candy, rice=rice)

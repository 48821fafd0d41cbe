"""factory_boy factories for the domain models. Points default to places inside Mapo-gu,
so tests that create located rows need the `mapo` fixture (regions must exist)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import factory
from django.conf import settings
from django.utils import timezone

from hyperlocal.accounts.models import Household, User
from hyperlocal.catalog.models import BusinessCategory, Merchant, MerchantStaff, Origin, Product, RevenueBand
from hyperlocal.geo import Point, cell_of
from hyperlocal.hubs.models import Hub, Zone
from hyperlocal.inventory.models import Stock
from hyperlocal.orders.models import DeliverySlot, FulfilmentPolicy
from hyperlocal.regions.models import Region

# Hongik University station, in Seogyo-dong.
HONGDAE = Point(37.5572, 126.9245)
# Mapo-gu Office, in Seongsan 2-dong.
MAPO_OFFICE = Point(37.5663, 126.9019)


def region_at(point: Point) -> Region:
    from hyperlocal.regions.services import region_for_point

    return region_for_point(point)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.test")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @classmethod
    def _after_postgeneration(cls, instance: User, create: bool, results: Any = None) -> None:
        if create:
            instance.save()


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    lat = HONGDAE.lat
    lng = HONGDAE.lng
    address = "서울 마포구 양화로 160"
    region = factory.LazyAttribute(lambda h: region_at(Point(h.lat, h.lng)))
    home_cell = factory.LazyAttribute(
        lambda h: cell_of(Point(h.lat, h.lng), settings.NEIGHBOURHOOD_RESOLUTION)
    )


class OriginFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Origin
        django_get_or_create = ("code",)

    code = "jeju"
    name_ko = "제주"
    name_en = "Jeju"
    province = "Jeju-do"


class MerchantFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Merchant

    name = factory.Sequence(lambda n: f"Mangwon Market Stall {n}")
    slug = factory.Sequence(lambda n: f"stall-{n}")
    region = factory.LazyFunction(lambda: Region.objects.get(code="11440"))
    business_category = BusinessCategory.GROCERY
    revenue_band = RevenueBand.UNDER_300M


class MerchantStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MerchantStaff

    merchant = factory.SubFactory(MerchantFactory)
    user = factory.SubFactory(UserFactory)
    role = MerchantStaff.Role.OWNER


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    merchant = factory.SubFactory(MerchantFactory)
    sku = factory.Sequence(lambda n: f"SKU-{n:05d}")
    name_ko = factory.Sequence(lambda n: f"상품 {n}")
    name_en = factory.Sequence(lambda n: f"Product {n}")
    category = "pantry"
    unit = "1 pack"
    price_won = 5000


class HubFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Hub

    name = factory.Sequence(lambda n: f"Hub {n}")
    slug = factory.Sequence(lambda n: f"hub-{n}")
    address = "서울 마포구 월드컵로 212"
    lat = MAPO_OFFICE.lat
    lng = MAPO_OFFICE.lng
    region = factory.LazyAttribute(lambda h: region_at(Point(h.lat, h.lng)))
    cell = factory.LazyAttribute(lambda h: cell_of(Point(h.lat, h.lng), settings.SERVICE_AREA_RESOLUTION))
    floor_area_m2 = 400


class ZoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Zone

    hub = factory.SubFactory(HubFactory)
    kind = Zone.Kind.WAREHOUSE
    name = factory.Sequence(lambda n: f"Zone {n}")
    area_m2 = 100
    capacity = 200


class StockFactory(factory.django.DjangoModelFactory):
    """Stock written directly, for tests that need a starting level; services write the
    movements that explain every later change."""

    class Meta:
        model = Stock

    hub = factory.SubFactory(HubFactory)
    product = factory.SubFactory(ProductFactory)
    on_hand = 10
    reserved = 0


class FulfilmentPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FulfilmentPolicy

    hub = factory.SubFactory(HubFactory)


class DeliverySlotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeliverySlot

    hub = factory.SubFactory(HubFactory)
    starts_at = factory.LazyFunction(lambda: timezone.now().replace(minute=0, second=0, microsecond=0))
    ends_at = factory.LazyAttribute(lambda s: s.starts_at + timedelta(hours=1))
    capacity = 10
    booked = 0

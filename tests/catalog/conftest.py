"""Catalog fixtures: two merchants with their own staff, regional origins and products."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.contrib.auth.models import Group

from hyperlocal.accounts.auth import issue_token
from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role
from hyperlocal.catalog.models import Merchant, Origin, Product
from hyperlocal.regions.models import Region
from tests.factories import MerchantStaffFactory, OriginFactory, ProductFactory, UserFactory


@dataclass
class Catalog:
    shop_a: Merchant
    shop_b: Merchant
    staff_a: User
    staff_b: User
    jeju: Origin
    icheon: Origin
    boseong: Origin
    tangerines: Product
    green_tea: Product
    rice: Product
    tofu: Product
    retired: Product


def bearer(user: User) -> dict[str, str]:
    _, key = issue_token(user, "tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@pytest.fixture
def catalog(mapo: Region) -> Catalog:
    jeju = OriginFactory(
        code="jeju", name_ko="제주", name_en="Jeju", province="Jeju-do", known_for="tangerines"
    )
    icheon = OriginFactory(code="icheon", name_ko="이천", name_en="Icheon", province="Gyeonggi-do")
    boseong = OriginFactory(code="boseong", name_ko="보성", name_en="Boseong", province="Jeollanam-do")
    a = MerchantStaffFactory(merchant__name="Mangwon Greens", merchant__slug="mangwon-greens")
    b = MerchantStaffFactory(merchant__name="Seogyo Rice Shop", merchant__slug="seogyo-rice")
    return Catalog(
        shop_a=a.merchant,
        shop_b=b.merchant,
        staff_a=a.user,
        staff_b=b.user,
        jeju=jeju,
        icheon=icheon,
        boseong=boseong,
        tangerines=ProductFactory(
            merchant=a.merchant,
            sku="TAN-1",
            name_ko="제주 감귤 3kg",
            name_en="Jeju tangerines 3 kg",
            category="fruit",
            origin=jeju,
            barcode="8801234567890",
            perishable=True,
            price_won=19900,
        ),
        green_tea=ProductFactory(
            merchant=a.merchant,
            sku="TEA-1",
            name_ko="보성 녹차",
            name_en="Boseong green tea",
            category="tea_coffee",
            origin=boseong,
            description="first flush leaves",
        ),
        rice=ProductFactory(
            merchant=b.merchant,
            sku="RICE-10",
            name_ko="이천 쌀 10kg",
            name_en="Icheon rice 10 kg",
            category="rice_grains",
            origin=icheon,
        ),
        tofu=ProductFactory(
            merchant=b.merchant, sku="TOFU", name_ko="두부", name_en="Tofu", category="pantry"
        ),
        retired=ProductFactory(
            merchant=b.merchant, sku="OLD", name_ko="단종 감귤", name_en="Old tangerine", is_active=False
        ),
    )


@pytest.fixture
def platform_admin(db: None) -> User:
    """A platform admin by role (the group), not a superuser."""
    user = UserFactory(username="platform")
    group, _ = Group.objects.get_or_create(name=str(Role.PLATFORM_ADMIN))
    user.groups.add(group)
    return user


@pytest.fixture
def superuser(db: None) -> User:
    return UserFactory(username="root", is_superuser=True, is_staff=True)

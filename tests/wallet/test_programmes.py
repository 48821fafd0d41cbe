"""Programmes: eligibility of merchants (region with its dongs, category, revenue cap by
kind), who may manage a programme, and rule changes."""

from __future__ import annotations

import pytest

from hyperlocal.accounts.roles import Role, ensure_roles
from hyperlocal.catalog.models import BusinessCategory, RevenueBand
from hyperlocal.errors import InvalidInput, NotAllowed
from hyperlocal.regions.models import Region
from hyperlocal.wallet.models import Programme, ProgrammeAdmin, VoucherKind
from hyperlocal.wallet.services.programmes import check_can_manage, merchant_is_eligible, update_rules
from tests.factories import MerchantFactory, UserFactory

BOUGHT, POLICY = VoucherKind.BOUGHT, VoucherKind.POLICY


def test_a_shop_registered_in_a_dong_of_the_district_takes_its_vouchers(programme: Programme) -> None:
    dong = Region.objects.filter(parent=programme.region).order_by("code").first()
    assert dong is not None
    shop = MerchantFactory(region=dong)
    assert merchant_is_eligible(programme, shop, BOUGHT) is None


def test_a_shop_of_another_district_does_not(programme: Programme) -> None:
    elsewhere = Region.objects.create(code="11410", name_ko="서대문구", level=Region.Level.DISTRICT)
    shop = MerchantFactory(region=elsewhere, name="Sinchon Stall")
    assert merchant_is_eligible(programme, shop, BOUGHT) == "Sinchon Stall is not registered in 마포구"


def test_excluded_categories_and_inactive_merchants_take_none(programme: Programme) -> None:
    arcade = MerchantFactory(business_category=BusinessCategory.ENTERTAINMENT)
    closed = MerchantFactory(is_active=False)
    for kind in (BOUGHT, POLICY):
        assert "excluded" in (merchant_is_eligible(programme, arcade, kind) or "")
        assert "not trading" in (merchant_is_eligible(programme, closed, kind) or "")


def test_the_revenue_cap_binds_bought_vouchers_only(programme: Programme) -> None:
    big = MerchantFactory(revenue_band=RevenueBand.UNDER_10B)
    at_cap = MerchantFactory(revenue_band=RevenueBand.UNDER_1B)
    assert "revenue" in (merchant_is_eligible(programme, big, BOUGHT) or "")
    assert merchant_is_eligible(programme, big, POLICY) is None
    assert merchant_is_eligible(programme, at_cap, BOUGHT) is None


def test_only_admins_of_the_programmes_region_manage_it(programme: Programme) -> None:
    groups = ensure_roles()
    mapo_admin, other_admin, resident = UserFactory(), UserFactory(), UserFactory()
    for admin in (mapo_admin, other_admin):
        admin.groups.add(groups[Role.PROGRAMME_ADMIN])
    ProgrammeAdmin.objects.create(user=mapo_admin, region=programme.region)
    check_can_manage(mapo_admin, programme)
    for user in (other_admin, resident):
        with pytest.raises(NotAllowed):
            check_can_manage(user, programme)
        with pytest.raises(NotAllowed):
            update_rules(user, programme, {"benefit_bp": 500})
    programme.refresh_from_db()
    assert programme.benefit_bp == 1000


@pytest.mark.parametrize(
    "rules",
    [
        {"benefit_bp": 6000},
        {"monthly_purchase_cap_won": 5_000},
        {"excluded_categories": ["casino"]},
        {"is_active": "yes"},
        {"region": 1},
    ],
)
def test_bad_rules_are_422_and_change_nothing(programme: Programme, rules: dict[str, object]) -> None:
    groups = ensure_roles()
    admin = UserFactory()
    admin.groups.add(groups[Role.PROGRAMME_ADMIN])
    ProgrammeAdmin.objects.create(user=admin, region=programme.region)
    before = Programme.objects.filter(pk=programme.pk).values().get()
    with pytest.raises(InvalidInput):
        update_rules(admin, programme, rules)
    assert Programme.objects.filter(pk=programme.pk).values().get() == before

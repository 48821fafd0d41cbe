"""Every demo login works and has its role."""

from __future__ import annotations

from django.test import Client

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role
from hyperlocal.accounts.services import current_verification
from hyperlocal.catalog.models import MerchantStaff
from hyperlocal.dispatch.models import Courier
from hyperlocal.simulation.demo import DEMO_HOME, DEMO_LOGINS, BuildOutcome


def test_one_login_per_role() -> None:
    assert sorted(login.role for login in DEMO_LOGINS) == sorted(Role)
    assert all(isinstance(login, tuple) and len(login) == 3 for login in DEMO_LOGINS)


def test_every_demo_login_logs_in_with_its_role(city: BuildOutcome) -> None:
    for role, username, password in DEMO_LOGINS:
        assert Client().login(username=username, password=password), username
        user = User.objects.get(username=username)
        assert user.groups.filter(name=str(role)).exists(), username
        assert user.display_name


def test_each_login_can_do_its_job(city: BuildOutcome) -> None:
    users = {login.role: User.objects.get(username=login.username) for login in DEMO_LOGINS}
    resident = users[Role.RESIDENT]
    assert resident.household is not None
    assert (resident.household.lat, resident.household.lng) == (DEMO_HOME.lat, DEMO_HOME.lng)
    assert resident.household.region.name_ko == "망원1동"
    assert current_verification(resident) is not None
    owner = MerchantStaff.objects.get(user=users[Role.MERCHANT_STAFF])
    assert owner.role == MerchantStaff.Role.OWNER
    assert owner.merchant.products.filter(name_ko__contains="감귤").exists()
    assert users[Role.HUB_OPERATOR].operated_hubs.count() == 2
    assert Courier.objects.filter(user=users[Role.COURIER]).exists()
    admin = users[Role.PLATFORM_ADMIN]
    assert admin.is_superuser
    assert admin.is_staff
    assert not resident.is_staff
    assert not users[Role.COURIER].is_staff
    assert users[Role.PROGRAMME_ADMIN].is_staff

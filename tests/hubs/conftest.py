"""Hub fixtures: a platform admin, an operator and hubs made through the services (so that
their service areas are computed with the real, deterministic circuity travel model)."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import Group

from hyperlocal.accounts.auth import issue_token
from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.services import create_hub
from hyperlocal.regions.models import Region
from tests.factories import HONGDAE, MAPO_OFFICE, UserFactory

# Unreachable on purpose: nothing listens on the discard port, so OSRM calls fail fast.
DOWN_OSRM = {
    "kind": "osrm",
    "urls": {"walk": "http://127.0.0.1:9", "bike": "http://127.0.0.1:9"},
    "timeout_s": 1,
}


def bearer(user: User) -> dict[str, str]:
    _, key = issue_token(user, "tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def hub_fields(**overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "name": "Mapo Office Hub",
        "slug": "mapo-office",
        "address": "서울 마포구 월드컵로 212",
        "lat": MAPO_OFFICE.lat,
        "lng": MAPO_OFFICE.lng,
        "floor_area_m2": 400,
        "promise_minutes": 30,
        "prep_minutes": 10,
        "courier_mode": "bike",
    }
    return {**fields, **overrides}


@pytest.fixture
def platform_admin(db: None) -> User:
    user = UserFactory(username="platform")
    group, _ = Group.objects.get_or_create(name=str(Role.PLATFORM_ADMIN))
    user.groups.add(group)
    return user


@pytest.fixture
def superuser(db: None) -> User:
    return UserFactory(username="root", is_superuser=True, is_staff=True)


@pytest.fixture
def operator(db: None) -> User:
    return UserFactory(username="operator")


@pytest.fixture
def hub(mapo: Region, platform_admin: User, operator: User) -> Hub:
    """A bike hub at Mapo-gu Office (20 minutes of riding), run by `operator`."""
    return create_hub(platform_admin, **hub_fields(operators=["operator"]))


@pytest.fixture
def other_hub(mapo: Region, platform_admin: User) -> Hub:
    """A walking hub at Hongik University station, run by someone else."""
    runner = UserFactory(username="other-operator")
    return create_hub(
        platform_admin,
        **hub_fields(
            name="Hongdae Hub",
            slug="hongdae",
            lat=HONGDAE.lat,
            lng=HONGDAE.lng,
            courier_mode="walk",
            operators=[runner],
        ),
    )

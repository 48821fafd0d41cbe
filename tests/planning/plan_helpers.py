"""What the tests of plans, exports, opening, the API and the command share: users by role, a
small world (four cells of Seogyo-dong with households, three vacant spaces) and a finished
plan written by hand in the RESULT format, so that exports and opening are tested apart from
the solver."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import Group

from hyperlocal.accounts.auth import issue_token
from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role
from hyperlocal.hubs.models import Hub
from hyperlocal.planning.models import SitePlan, VacantSpace
from hyperlocal.planning.services.parameters import clean_parameters
from hyperlocal.planning.services.plans import summary_of
from hyperlocal.regions.models import Region
from tests.factories import HubFactory, UserFactory
from tests.planning.helpers import dong_cells, population, space

DISTRICT = "11440"  # Mapo-gu
# Population only: the small world has no orders; short limits keep the solver quick.
BASE: dict[str, Any] = {"region_code": DISTRICT, "demand_source": "population", "time_limit_seconds": 20}


def user_with(role: Role, username: str) -> User:
    user = UserFactory(username=username)
    group, _ = Group.objects.get_or_create(name=str(role))
    user.groups.add(group)
    return user


def platform_admin(username: str = "root") -> User:
    return user_with(Role.PLATFORM_ADMIN, username)


def operator(username: str = "operator", *, district: str = DISTRICT) -> User:
    """A hub operator who runs a (planned) hub in the district, so plans for it: a planned hub
    is no candidate site, so that the plans of the tests stay as they are."""
    user = user_with(Role.HUB_OPERATOR, username)
    region = Region.objects.filter(code=district).first()
    if region is not None:
        hub = HubFactory(region=region, status=Hub.Status.PLANNED, slug=f"hub-of-{username}")
        hub.operators.add(user)
    return user


def resident(username: str = "resident") -> User:
    return user_with(Role.RESIDENT, username)


def bearer(user: User) -> dict[str, str]:
    _, key = issue_token(user, "tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


@dataclass
class SmallWorld:
    cells: list[str]
    spaces: list[VacantSpace]

    @property
    def a(self) -> str:
        return self.cells[0]


def small_world() -> SmallWorld:
    """Four cells (100, 60, 50 and 10 households) and three spaces on three of them."""
    cells = dong_cells(count=4)
    population(dict(zip(cells, (100, 60, 50, 10), strict=True)))
    spaces = [
        space("Seogyo Corner", cells[0], rent=1_000_000, area=400, can_community=True, can_popup=True),
        space("Wausan Lane", cells[2], rent=2_000_000, area=300, can_stay=True),
        space("Hongdae Basement", cells[1], rent=5_000_000, area=100),
    ]
    return SmallWorld(cells, spaces)


def site_json(s: VacantSpace, *, orders: float = 5.0, households: float | None = 100.0) -> dict[str, Any]:
    return {
        "key": f"space:{s.pk}",
        "kind": "new",
        "space_id": s.pk,
        "hub_slug": None,
        "name": s.name,
        "address": s.address,
        "lat": s.lat,
        "lng": s.lng,
        "floor_area_m2": s.floor_area_m2,
        "monthly_rent_won": s.monthly_rent_won,
        "capacity_per_day": 440.0,
        "orders_per_day": orders,
        "households": households,
        "cells": 2,
        "can_community": s.can_community,
        "can_popup": s.can_popup,
        "can_stay": s.can_stay,
    }


def done_plan(
    sites: list[dict[str, Any]],
    cells: list[dict[str, Any]],
    *,
    user: User | None = None,
    **params: Any,
) -> SitePlan:
    """A finished plan with this result (the other fields filled in plausibly)."""
    parameters = clean_parameters(BASE | params).to_json()
    result = {
        "model": parameters["model"],
        "status": "optimal",
        "optimal": True,
        "gap": 0.0,
        "objective": 8.0,
        "seconds": 0.01,
        "message": "",
        "parameters": parameters,
        "demand": {"orders_per_day": 11.0, "households": 220.0, "cells": len(cells)},
        "coverage": {"share": 0.8, "orders_per_day": 8.8, "households": 176.0},
        "travel": {"p50": 5.0, "p90": 8.0},
        "rent": {"monthly_won": 1_000_000, "per_covered_household_won": 5682},
        "sites": sites,
        "cells": cells,
        "curve": [],
    }
    return SitePlan.objects.create(
        region=Region.objects.get(code=DISTRICT),
        requested_by=user,
        parameters=parameters,
        status=SitePlan.Status.DONE,
        result=result,
        summary=summary_of(result),
    )

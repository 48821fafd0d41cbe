"""Demo accounts for every role, and synthetic people (couriers) with Korean names."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role
from hyperlocal.accounts.services import set_home, signup, verify_neighbourhood
from hyperlocal.geo import Point

# Every account the demo makes has a name with this prefix, so that --force finds them.
USERNAME_PREFIX = "demo-"


class DemoLogin(NamedTuple):
    role: Role
    username: str
    password: str


# Simple, memorable passwords: this is a local demo, never a production set-up.
DEMO_LOGINS: list[DemoLogin] = [
    DemoLogin(Role.RESIDENT, "demo-resident", "mangwon-market"),
    DemoLogin(Role.MERCHANT_STAFF, "demo-merchant", "jeju-tangerine"),
    DemoLogin(Role.HUB_OPERATOR, "demo-operator", "open-till-midnight"),
    DemoLogin(Role.COURIER, "demo-courier", "thirty-minutes"),
    DemoLogin(Role.PROGRAMME_ADMIN, "demo-programme", "mapo-love-voucher"),
    DemoLogin(Role.PLATFORM_ADMIN, "demo-admin", "back-office-keys"),
]
DISPLAY_NAMES: dict[Role, str] = {
    Role.RESIDENT: "김망원",
    Role.MERCHANT_STAFF: "고감귤",
    Role.HUB_OPERATOR: "박허브",
    Role.COURIER: "이배달",
    Role.PROGRAMME_ADMIN: "마포구 지역화폐 담당",
    Role.PLATFORM_ADMIN: "플랫폼 관리자",
}
# The demo resident lives by Mangwon Market (망원1동), inside a hub's service area.
DEMO_HOME = Point(37.5556, 126.9063)
DEMO_HOME_ADDRESS = "서울 마포구 망원1동 망원시장 근처"

SURNAMES = ("김", "이", "박", "최", "정", "강", "조", "윤", "장", "임", "한", "오", "서", "신", "권")
GIVEN_NAMES = (
    "민준", "서연", "도윤", "지우", "하준", "서윤", "시우", "지민", "주원", "하은",
    "지호", "수아", "준서", "예은", "현우", "다은", "건우", "채원", "우진", "소율",
)  # fmt: skip


def korean_names(n: int, rng: np.random.Generator) -> list[str]:
    surnames = rng.choice(len(SURNAMES), size=n)
    given = rng.choice(len(GIVEN_NAMES), size=n)
    return [SURNAMES[s] + GIVEN_NAMES[g] for s, g in zip(surnames, given, strict=True)]


def login_for(role: Role) -> DemoLogin:
    return next(login for login in DEMO_LOGINS if login.role == role)


def _staff_user(login: DemoLogin, groups: dict[Role, Group]) -> User:
    # Everyone but residents and couriers works in the Django admin (the back office);
    # their role groups decide what they see there.
    user = User.objects.create_user(
        login.username,
        email=f"{login.username}@example.com",
        password=login.password,
        display_name=DISPLAY_NAMES[login.role],
        is_staff=login.role not in (Role.RESIDENT, Role.COURIER),
        is_superuser=login.role == Role.PLATFORM_ADMIN,
    )
    user.groups.add(groups[login.role])
    return user


def create_demo_users(groups: dict[Role, Group]) -> dict[Role, User]:
    """One account per role. The resident signs up like anyone, sets a home and verifies
    the neighbourhood there; the others are made directly (signup would make them residents)."""
    users: dict[Role, User] = {}
    for login in DEMO_LOGINS:
        if login.role == Role.RESIDENT:
            user = signup(
                username=login.username,
                password=login.password,
                email=f"{login.username}@example.com",
                display_name=DISPLAY_NAMES[login.role],
            )
            set_home(user, lat=DEMO_HOME.lat, lng=DEMO_HOME.lng, address=DEMO_HOME_ADDRESS, size=2)
            verify_neighbourhood(user, lat=DEMO_HOME.lat, lng=DEMO_HOME.lng)
        else:
            user = _staff_user(login, groups)
        users[login.role] = user
    return users


def create_people(usernames: list[str], names: list[str], group: Group) -> list[User]:
    """Accounts that cannot log in (no usable password), in bulk, with the role's group."""
    unusable = make_password(None)
    users = User.objects.bulk_create(
        [
            User(username=username, display_name=name, password=unusable, email=f"{username}@example.com")
            for username, name in zip(usernames, names, strict=True)
        ]
    )
    User.groups.through.objects.bulk_create(
        [User.groups.through(user_id=u.pk, group_id=group.pk) for u in users]
    )
    return users

from __future__ import annotations

from functools import cached_property

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role
from hyperlocal.catalog.models import MerchantStaff
from hyperlocal.hubs.services import is_platform_admin
from hyperlocal.orders.models import CartLine


class Nav:
    """What the navigation shows for this user, worked out only when the template asks
    (pages without the links make no queries)."""

    def __init__(self, user: User | AnonymousUser) -> None:
        self.user = user

    @cached_property
    def _groups(self) -> set[str]:
        if not self.user.is_authenticated:
            return set()
        return set(self.user.groups.values_list("name", flat=True))

    @cached_property
    def shops(self) -> bool:
        """Residents (and anyone with a home) have a cart."""
        user = self.user
        if not isinstance(user, User):
            return False
        return user.household_id is not None or str(Role.RESIDENT) in self._groups

    @cached_property
    def cart_count(self) -> int:
        if not isinstance(self.user, User):
            return 0
        return CartLine.objects.filter(cart__user_id=self.user.pk).count()

    @cached_property
    def operates(self) -> bool:
        user = self.user
        if not isinstance(user, User):
            return False
        return user.operated_hubs.exists() or is_platform_admin(user)

    @cached_property
    def plans(self) -> bool:
        """Hub operators (by role or by running a hub) and platform admins plan new sites."""
        return self.operates or str(Role.HUB_OPERATOR) in self._groups

    @cached_property
    def rides(self) -> bool:
        """Couriers (the courier group) have their route page."""
        return str(Role.COURIER) in self._groups

    @cached_property
    def sells(self) -> bool:
        user = self.user
        if not isinstance(user, User):
            return False
        return MerchantStaff.objects.filter(user_id=user.pk).exists()


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "MAP_TILES_URL": settings.MAP_TILES_URL,
        "MAP_TILES_ATTRIBUTION": settings.MAP_TILES_ATTRIBUTION,
        "nav": Nav(request.user),
    }

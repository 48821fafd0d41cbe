"""Who may run a hub: its operators, or a platform admin."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role
from hyperlocal.hubs.models import Hub

AnyUser = User | AnonymousUser


def is_platform_admin(user: AnyUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser) or user.groups.filter(name=str(Role.PLATFORM_ADMIN)).exists()


def can_operate(user: AnyUser, hub: Hub) -> bool:
    """True for the hub's operators (its `operators`) and platform admins."""
    if not user.is_authenticated or not user.is_active:
        return False
    if hub.pk is not None and hub.operators.filter(pk=user.pk).exists():
        return True
    return is_platform_admin(user)

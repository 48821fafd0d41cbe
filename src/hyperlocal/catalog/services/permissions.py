"""Who may change what in the catalog: a merchant's own staff, or a platform admin."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from hyperlocal.accounts.models import User
from hyperlocal.accounts.roles import Role
from hyperlocal.catalog.models import Merchant, MerchantStaff, Product

AnyUser = User | AnonymousUser


def is_platform_admin(user: AnyUser) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return bool(user.is_superuser) or user.groups.filter(name=str(Role.PLATFORM_ADMIN)).exists()


def can_edit_merchant(user: AnyUser, merchant: Merchant) -> bool:
    """Staff of that merchant (any staff role) or a platform admin."""
    if not user.is_authenticated or not user.is_active:
        return False
    if MerchantStaff.objects.filter(merchant_id=merchant.pk, user_id=user.pk).exists():
        return True
    return is_platform_admin(user)


def can_edit_product(user: AnyUser, product: Product) -> bool:
    return can_edit_merchant(user, product.merchant)


def staff_merchants(user: AnyUser) -> QuerySet[Merchant]:
    """The merchants whose staff the user is (none for an anonymous user)."""
    if not user.is_authenticated:
        return Merchant.objects.none()
    return Merchant.objects.filter(memberships__user_id=user.pk).distinct()

"""Roles are groups with permissions. This module is the one place that says which."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission


class Role(StrEnum):
    RESIDENT = "resident"
    MERCHANT_STAFF = "merchant staff"
    HUB_OPERATOR = "hub operator"
    COURIER = "courier"
    PROGRAMME_ADMIN = "programme admin"
    PLATFORM_ADMIN = "platform admin"


# Model permissions per role ("app_label.codename"). Object-level rules (a merchant edits only
# its own products, an operator only their hubs) are checked by the services on top of these.
ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.RESIDENT: ["accounts.view_household", "accounts.change_household"],
    Role.MERCHANT_STAFF: [
        "catalog.view_merchant",
        "catalog.change_merchant",
        "catalog.view_product",
        "catalog.add_product",
        "catalog.change_product",
        "catalog.add_productphoto",
        "catalog.change_productphoto",
        "catalog.delete_productphoto",
        "hubs.view_hub",
    ],
    Role.HUB_OPERATOR: [
        "hubs.view_hub",
        "hubs.change_hub",
        "hubs.view_zone",
        "hubs.add_zone",
        "hubs.change_zone",
        "hubs.delete_zone",
        "hubs.view_openinghours",
        "hubs.add_openinghours",
        "hubs.change_openinghours",
        "hubs.delete_openinghours",
        "hubs.view_serviceareacell",
        "dispatch.view_courier",
        "catalog.view_product",
    ],
    Role.COURIER: ["hubs.view_hub"],
    # Programme admins read their programmes' records and change their rules (the services
    # keep them to their own region's programmes); money moves only through the services.
    Role.PROGRAMME_ADMIN: [
        "regions.view_region",
        "accounts.view_household",
        "wallet.view_programme",
        "wallet.change_programme",
        "wallet.view_programmeadmin",
        "wallet.view_wallet",
        "wallet.view_merchantaccount",
        "wallet.view_voucherpurchase",
        "wallet.view_vouchergrant",
        "wallet.view_voucherrefund",
        "wallet.view_voucherhold",
        "wallet.view_settlement",
        "wallet.view_settlementpayout",
    ],
    Role.PLATFORM_ADMIN: ["*"],
}


def ensure_roles() -> dict[Role, Group]:
    """Create or update the role groups so that they hold exactly the listed permissions."""
    # Permissions of apps migrated later in the same run may not exist yet: make them now.
    for app_config in apps.get_app_configs():
        create_permissions(app_config, verbosity=0)
    permissions = Permission.objects.select_related("content_type")
    all_perms = {f"{p.content_type.app_label}.{p.codename}": p for p in permissions}
    groups: dict[Role, Group] = {}
    for role, wanted in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=str(role))
        if wanted == ["*"]:
            group.permissions.set(all_perms.values())
        else:
            group.permissions.set([all_perms[name] for name in wanted if name in all_perms])
        groups[role] = group
    return groups


def ensure_roles_after_migrate(sender: Any, **kwargs: Any) -> None:
    if getattr(sender, "name", "") == "hyperlocal.accounts":
        ensure_roles()


def grant_role(user: Any, role: Role) -> None:
    """Put the user in the role's group (creating the role groups first if they are missing)."""
    group = Group.objects.filter(name=str(role)).first() or ensure_roles()[role]
    user.groups.add(group)


def role_names(user: Any) -> list[str]:
    """The roles a user holds, by name (the groups that are roles; other groups are left out)."""
    known = {str(role) for role in Role}
    return sorted(g.name for g in user.groups.all() if g.name in known)

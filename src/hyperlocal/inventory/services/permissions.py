"""Who may do what with stock: a hub's operators run its stock; a merchant's staff send
stock and read where theirs is; platform admins may do both."""

from __future__ import annotations

from hyperlocal.catalog.models import Merchant
from hyperlocal.catalog.services import can_edit_merchant
from hyperlocal.catalog.services.permissions import AnyUser
from hyperlocal.errors import NotAllowed
from hyperlocal.hubs.models import Hub
from hyperlocal.hubs.services import can_operate


def require_operator(user: AnyUser, hub: Hub) -> None:
    """NotAllowed unless the user runs the hub (or is a platform admin)."""
    if not can_operate(user, hub):
        raise NotAllowed(f"only the operators of {hub.name} may manage its stock", code="not_hub_operator")


def require_merchant_staff(user: AnyUser, merchant: Merchant) -> None:
    """NotAllowed unless the user is on the merchant's staff (or is a platform admin)."""
    if not can_edit_merchant(user, merchant):
        raise NotAllowed(f"only {merchant.name}'s staff may do this", code="not_merchant_staff")

"""Who may manage a hub's stock and who may send a merchant's stock."""

from __future__ import annotations

import pytest

from hyperlocal.accounts.models import User
from hyperlocal.catalog.models import Merchant
from hyperlocal.errors import NotAllowed
from hyperlocal.hubs.models import Hub
from hyperlocal.inventory.services import require_merchant_staff, require_operator

pytestmark = pytest.mark.django_db


def test_operators_and_admins_run_a_hub(
    hub: Hub, operator: User, platform_admin: User, outsider: User
) -> None:
    require_operator(operator, hub)
    require_operator(platform_admin, hub)
    with pytest.raises(NotAllowed) as caught:
        require_operator(outsider, hub)
    assert caught.value.code == "not_hub_operator"


def test_staff_and_admins_act_for_a_merchant(
    merchant: Merchant, merchant_staff: User, platform_admin: User, operator: User
) -> None:
    require_merchant_staff(merchant_staff, merchant)
    require_merchant_staff(platform_admin, merchant)
    with pytest.raises(NotAllowed) as caught:
        require_merchant_staff(operator, merchant)
    assert caught.value.code == "not_merchant_staff"

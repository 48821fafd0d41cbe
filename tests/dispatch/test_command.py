from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hyperlocal.dispatch.models import DispatchRound
from tests.dispatch.conftest import NEAR, Fleet


def test_once_for_one_hub(live_fleet: Fleet) -> None:
    live_fleet.courier("minji")
    live_fleet.shipment(NEAR)
    out = StringIO()
    call_command("dispatch", "--hub", live_fleet.hub.slug, "--once", "--strategy", "greedy", stdout=out)
    assert f"{live_fleet.hub.slug}: greedy 1 open, 1 couriers -> 1 assigned" in out.getvalue()
    assert list(DispatchRound.objects.values_list("hub_id", flat=True)) == [live_fleet.hub.pk]


def test_default_is_every_open_hub(live_fleet: Fleet) -> None:
    call_command("dispatch", "--once", stdout=StringIO())
    assert DispatchRound.objects.count() == 2  # the world's two hubs


def test_bad_arguments(live_fleet: Fleet) -> None:
    with pytest.raises(CommandError, match="no hub"):
        call_command("dispatch", "--hub", "nowhere", "--once")
    with pytest.raises(CommandError, match="either --once or --every"):
        call_command("dispatch", "--hub", live_fleet.hub.slug)
    with pytest.raises(CommandError, match="positive"):
        call_command("dispatch", "--every", "0")
    assert not DispatchRound.objects.exists()

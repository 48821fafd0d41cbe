from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from hyperlocal.dispatch.management.commands.dispatch import Command
from hyperlocal.dispatch.models import DispatchRound
from hyperlocal.dispatch.services import rounds
from hyperlocal.hubs.models import Hub
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


def test_each_pass_reads_the_hubs_afresh_and_a_failing_hub_spares_the_others(
    live_fleet: Fleet, monkeypatch: pytest.MonkeyPatch
) -> None:
    hubs = sorted([live_fleet.hub, live_fleet.world.other_hub], key=lambda h: h.pk)
    command = Command(stdout=StringIO(), stderr=StringIO())
    command._pass([], "greedy")
    assert DispatchRound.objects.count() == 2
    Hub.objects.filter(pk=hubs[0].pk).update(status=Hub.Status.CLOSED)
    command._pass([], "greedy")
    assert list(DispatchRound.objects.values_list("hub_id", flat=True).order_by("pk")) == [
        hubs[0].pk,
        hubs[1].pk,
        hubs[1].pk,
    ]
    Hub.objects.filter(pk=hubs[0].pk).update(status=Hub.Status.OPEN)
    real = rounds.run_round

    def run_round(hub: Hub, **kwargs: Any) -> rounds.RoundOutcome:
        if hub.pk == hubs[0].pk:
            raise ValueError("a bad row")
        return real(hub, **kwargs)

    monkeypatch.setattr(rounds, "run_round", run_round)
    err = StringIO()
    command = Command(stdout=StringIO(), stderr=err)
    command._pass([], "greedy")
    assert f"{hubs[0].slug}: the round failed (ValueError: a bad row)" in err.getvalue()
    assert DispatchRound.objects.filter(hub=hubs[1]).count() == 3

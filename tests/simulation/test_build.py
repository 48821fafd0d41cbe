"""Building, reusing and rebuilding the demo city, through the service and the commands."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from hyperlocal.accounts.models import Household, NeighbourhoodVerification, User
from hyperlocal.catalog.models import Merchant, Origin, Product
from hyperlocal.errors import Conflict, InvalidInput
from hyperlocal.hubs.models import Hub
from hyperlocal.planning.models import PopulationCell, VacantSpace
from hyperlocal.simulation.demo import DEMO_LOGINS, build_demo, current_build, delete_demo
from hyperlocal.simulation.demo.households import SOURCE
from hyperlocal.simulation.models import DemoBuild

SMALL = 300


def counts() -> tuple[int, ...]:
    return (
        Household.objects.count(),
        VacantSpace.objects.count(),
        Hub.objects.count(),
        Merchant.objects.count(),
        Product.objects.count(),
        User.objects.count(),
        PopulationCell.objects.count(),
    )


@pytest.mark.django_db
def test_a_rerun_with_the_same_seed_reuses_the_city() -> None:
    first = build_demo(seed=5, households=SMALL)
    before = counts()
    again = build_demo(seed=5, households=SMALL)
    assert not first.reused
    assert again.reused
    assert again.build.pk == first.build.pk
    assert counts() == before
    assert DemoBuild.objects.count() == 1


@pytest.mark.django_db
def test_another_seed_needs_force_and_force_rebuilds_cleanly() -> None:
    build_demo(seed=5, households=SMALL)
    before = counts()
    with pytest.raises(Conflict, match="--force"):
        build_demo(seed=6, households=SMALL)
    with pytest.raises(Conflict, match="--force"):
        build_demo(seed=5, households=SMALL + 1)
    rebuilt = build_demo(seed=6, households=SMALL, force=True)
    assert not rebuilt.reused
    assert rebuilt.build.seed == 6
    assert counts() == before  # replaced, nothing left over
    assert current_build() == rebuilt.build


@pytest.mark.django_db
def test_delete_removes_every_demo_row_but_origins() -> None:
    build_demo(seed=5, households=SMALL)
    delete_demo()
    assert counts() == (0, 0, 0, 0, 0, 0, 0)
    assert NeighbourhoodVerification.objects.count() == 0
    assert not DemoBuild.objects.exists()
    assert Origin.objects.count() > 0  # shared reference data stays


@pytest.mark.django_db
def test_an_expired_verification_is_renewed_on_reuse() -> None:
    build_demo(seed=5, households=SMALL)
    NeighbourhoodVerification.objects.all().delete()
    build_demo(seed=5, households=SMALL)
    resident = User.objects.get(username=DEMO_LOGINS[0].username)
    assert NeighbourhoodVerification.objects.filter(user=resident).count() == 1


@pytest.mark.django_db
def test_bad_arguments_are_refused_before_anything_is_written() -> None:
    with pytest.raises(InvalidInput) as caught:
        build_demo(seed=-1, households=SMALL)
    assert caught.value.field == "seed"
    with pytest.raises(InvalidInput) as caught:
        build_demo(seed=1, households=10)
    assert caught.value.field == "households"
    assert counts() == (0, 0, 0, 0, 0, 0, 0)


@pytest.mark.django_db
def test_commands_build_reuse_and_print_logins() -> None:
    out = StringIO()
    call_command("build_demo", "--seed", "9", "--households", str(SMALL), stdout=out)
    text = out.getvalue()
    assert "Built the demo city for seed 9" in text
    assert f"{SMALL:,}" in text
    assert "merchants" in text
    assert "Hub" in text
    out = StringIO()
    call_command("build_demo", "--seed", "9", "--households", str(SMALL), stdout=out)
    assert "Reusing the demo city" in out.getvalue()
    with pytest.raises(CommandError, match="--force"):
        call_command("build_demo", "--seed", "10", "--households", str(SMALL), stdout=StringIO())
    out = StringIO()
    call_command("build_demo", "--seed", "10", "--households", str(SMALL), "--force", stdout=out)
    assert "Built the demo city for seed 10" in out.getvalue()
    assert Household.objects.filter(source=SOURCE).count() == SMALL
    out = StringIO()
    call_command("demo_logins", "--url", "http://demo.test/", stdout=out)
    text = out.getvalue()
    assert "http://demo.test/" in text
    assert all(login.username in text and login.password in text for login in DEMO_LOGINS)
    assert "not built yet" not in text


@pytest.mark.django_db
def test_command_refuses_bad_numbers() -> None:
    with pytest.raises(CommandError, match="households"):
        call_command("build_demo", "--households", "5", stdout=StringIO())
    out = StringIO()
    call_command("demo_logins", stdout=out)
    assert "not built yet" in out.getvalue()

"""PostgreSQL with real threads: a plan handed to two workers at once runs once, and two
admins opening the same space at once make one hub."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import pytest
from django.db import close_old_connections, connection

from hyperlocal.errors import Conflict
from hyperlocal.hubs.models import Hub
from hyperlocal.planning.models import SitePlan
from hyperlocal.planning.services import opening, plans
from hyperlocal.planning.services.parameters import clean_parameters
from hyperlocal.regions.models import Region
from tests.planning.plan_helpers import BASE, done_plan, operator, platform_admin, site_json, small_world

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]
THREADS = 2


@pytest.fixture(autouse=True)
def _postgres_only(request: pytest.FixtureRequest) -> None:
    """Skipped, visibly, on SQLite (whose writers queue on one lock anyway)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (set DATABASE_URL=postgres://...)")


def run_together(work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    results: list[object] = []
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def client(n: int) -> None:
        try:
            start.wait()
            results.append(work(n))
        except BaseException as exc:
            errors.append(exc)
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=client, args=(n,)) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results, errors


def test_two_workers_given_the_same_plan_run_it_once(mapo: Region, monkeypatch: pytest.MonkeyPatch) -> None:
    small_world()
    plan = SitePlan.objects.create(
        region=Region.objects.get(code="11440"),
        requested_by=operator(),
        parameters=clean_parameters(BASE | {"p": 1}).to_json(),
    )
    runs: list[int] = []
    real = plans.run_plan

    def counting(*args: Any, **kwargs: Any) -> dict[str, object]:
        runs.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(plans, "run_plan", counting)
    results, errors = run_together(lambda n: plans.execute_plan(plan.pk).status)
    assert errors == []
    assert len(runs) == 1
    plan.refresh_from_db()
    assert plan.status == SitePlan.Status.DONE, plan.error
    # The worker that lost the claim found the plan running or done, and left it alone.
    assert set(results) <= {SitePlan.Status.RUNNING, SitePlan.Status.DONE}


def test_two_admins_opening_the_same_space_make_one_hub(mapo: Region) -> None:
    world = small_world()
    space = world.spaces[0]
    plan = done_plan([site_json(space)], [])
    admins = [platform_admin("root-a"), platform_admin("root-b")]

    def open_it(n: int) -> object:
        # Different slugs: the space, not the slug, is what the two clash on.
        return opening.open_site(admins[n], plan, space.pk, slug=f"corner-{n}", promise_minutes=12)

    results, errors = run_together(open_it)
    assert len(results) == 1
    assert len(errors) == 1
    assert isinstance(errors[0], Conflict)
    assert errors[0].code == "already_a_hub"
    hub = Hub.objects.get()
    assert hub.vacant_space == space
    assert hub.zones.exists()
    assert hub.service_cells.exists()
